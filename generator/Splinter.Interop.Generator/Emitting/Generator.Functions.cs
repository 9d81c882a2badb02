// Emits the [LibraryImport] classes: LibSplinter (library header) and LibSplinterShim (shim header + errno wrappers).
using Splinter.Interop.Generator.Model;
using Splinter.Interop.Generator.Reading;

namespace Splinter.Interop.Generator.Emitting;

internal sealed partial class Generator
{
    private string EmitLibraryFunctions()
    {
        CodeWriter writer = CSharpFile("System.Runtime.CompilerServices", "System.Runtime.InteropServices");
        writer.Line("/// <summary>");
        writer.Line("/// Raw bindings of every function the library header exports: C names, blittable types, no policy.");
        writer.Line("/// Results are returned exactly as C returns them; the idiomatic layer turns them into exceptions.");
        writer.Line("/// </summary>");
        writer.Line("public static unsafe partial class LibSplinter");
        writer.Open();
        writer.Line("/// <summary>The library name the resolver maps to the shared-memory variant (libsplinter.so).</summary>");
        writer.Line($"public const string LibraryName = \"{config.LibraryName}\";");
        foreach (CFunction function in LibraryFunctions)
        {
            writer.Line();
            WriteImport(writer, function, SuppressesGCTransition(function.Name));
        }
        writer.Close();
        return writer.ToString();
    }

    private string EmitShimFunctions()
    {
        CodeWriter writer = CSharpFile("System.Runtime.CompilerServices", "System.Runtime.InteropServices");
        writer.Line("/// <summary>");
        writer.Line("/// Raw bindings of the shim (libsplinter_shim.so): the helpers declared in splinter_shim.h and one errno");
        writer.Line("/// wrapper per library function that reports failures through errno. A wrapper takes the library function");
        writer.Line("/// as a pointer, so it works with whichever library (and variant) the pointer came from.");
        writer.Line("/// </summary>");
        if (config.ShimAccessibility.Name != "public")
        {
            writer.Line($"/// <remarks>{Xml(Access(HeaderRole.Shim))}: {Xml(config.ShimAccessibility.Reason)}</remarks>");
        }
        writer.Line($"{Access(HeaderRole.Shim)} static unsafe partial class LibSplinterShim");
        writer.Open();
        writer.Line("/// <summary>The library name the resolver maps to libsplinter_shim.so.</summary>");
        writer.Line($"public const string LibraryName = \"{config.ShimLibraryName}\";");
        foreach (CFunction function in ShimFunctions)
        {
            writer.Line();
            WriteImport(writer, function, SuppressesGCTransition(function.Name));
        }
        foreach (CFunction function in ErrnoFunctions)
        {
            writer.Line();
            CFunction wrapper = ErrnoWrapper(function);
            WriteImport(writer, wrapper, SuppressesGCTransition(function.Name));
        }
        writer.Close();
        return writer.ToString();
    }

    /// <summary>The shim wrapper of an errno function: (fn, same parameters..., int *error).</summary>
    private static CFunction ErrnoWrapper(CFunction function)
    {
        var pointer = new CType(CTypeKind.FunctionPointer, $"__typeof__({function.Name}) *", FunctionPointerType(function, false), 8, false)
        {
            Return = function.Return,
            Parameters = function.Parameters.Select(p => p.Type).ToList(),
        };
        var error = new CType(CTypeKind.Pointer, "int *", "int*", 8, false) { Element = new CType(CTypeKind.Primitive, "int", "int", 4, false) { IsPlainScalarName = true } };
        var parameters = new List<CParameter> { new("fn", pointer) };
        parameters.AddRange(function.Parameters);
        parameters.Add(new CParameter("error", error));
        var documentation = new Dictionary<string, string>(function.Doc.Parameters, StringComparer.Ordinal)
        {
            ["fn"] = $"Address of {function.Name} in the library to call.",
            ["error"] = "Receives errno as it was right after the call (0 when the call did not set it).",
        };
        var doc = new CDoc($"Calls {function.Name} through fn with errno cleared first and reports errno afterwards (no SetLastError on the hot path).",
            documentation, function.Doc.Returns);
        return new CFunction(ErrnoWrapperName(function), function.Return, parameters, doc, HeaderRole.Shim);
    }

    private static string ErrnoWrapperName(CFunction function) => "SplinterShim_errno_" + function.Name;

    private static void WriteImport(CodeWriter writer, CFunction function, bool suppressGCTransition)
    {
        FunctionDoc(writer, function);
        writer.Line("[LibraryImport(LibraryName)]");
        writer.Line("[UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]");
        if (suppressGCTransition)
        {
            writer.Line("[SuppressGCTransition]");
        }
        string? returnAttribute = NativeTypeName(function.Return);
        if (returnAttribute is not null)
        {
            writer.Line("[return: " + returnAttribute[1..]);
        }
        writer.Line($"public static partial {TypeMapper.CSharp(function.Return)} {function.Name}({Parameters(function)});");
    }
}
