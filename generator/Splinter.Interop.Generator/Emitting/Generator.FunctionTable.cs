// Emits SplinterApi: every library function as a function-pointer field loaded from one library handle,
// so one process can hold both variants (each .so has its own process globals), plus the *_errno helpers.
using Splinter.Interop.Generator.Model;
using Splinter.Interop.Generator.Reading;

namespace Splinter.Interop.Generator.Emitting;

internal sealed partial class Generator
{
    private string EmitFunctionTable()
    {
        CodeWriter writer = CSharpFile("System", "System.Runtime.InteropServices");
        writer.Line("/// <summary>");
        writer.Line("/// The library functions of one loaded libsplinter (shm or persistent variant, or a user's own build) as");
        writer.Line("/// unmanaged function pointers. Each library file has its own process globals (its own current store), so");
        writer.Line("/// one process can hold one table per variant. Functions that report errors through errno also get an");
        writer.Line("/// F_errno method that calls the shim wrapper.");
        writer.Line("/// </summary>");
        writer.Line("public sealed unsafe partial class SplinterApi");
        writer.Open();
        writer.Line("/// <summary>The native library handle the pointers were loaded from.</summary>");
        writer.Line("public nint LibraryHandle { get; }");
        foreach (CFunction function in LibraryFunctions)
        {
            writer.Line();
            Summary(writer, function.Doc.Summary, $"C function {function.Name}.");
            if (IsOptional(function.Name))
            {
                writer.Line("/// <remarks>Optional: null when the library does not export it.</remarks>");
            }
            writer.Line($"public readonly {FunctionPointerType(function, SuppressesGCTransition(function.Name))} {function.Name};");
            if (IsOptional(function.Name))
            {
                writer.Line();
                writer.Line($"/// <summary>True when the library exports {function.Name}.</summary>");
                writer.Line($"public bool Has_{function.Name} => {function.Name} != null;");
            }
        }

        writer.Line();
        writer.Line("/// <summary>Loads every function from a library handle (see NativeLibrary.Load).</summary>");
        writer.Line("/// <param name=\"libraryHandle\">Handle of a loaded libsplinter.</param>");
        writer.Line("/// <exception cref=\"EntryPointNotFoundException\">A required function is not exported; the message names it.</exception>");
        writer.Line("public SplinterApi(nint libraryHandle)");
        writer.Open();
        writer.Line("LibraryHandle = libraryHandle;");
        foreach (CFunction function in LibraryFunctions)
        {
            string loader = IsOptional(function.Name) ? "Optional" : "Require";
            writer.Line($"{function.Name} = ({FunctionPointerType(function, SuppressesGCTransition(function.Name))}){loader}(libraryHandle, \"{function.Name}\");");
        }
        writer.Close();

        writer.Line();
        writer.Line("/// <summary>Loads every function from a library handle (see NativeLibrary.Load).</summary>");
        writer.Line("/// <param name=\"libraryHandle\">Handle of a loaded libsplinter.</param>");
        writer.Line("/// <returns>The function table.</returns>");
        writer.Line("public static SplinterApi Load(nint libraryHandle) => new(libraryHandle);");

        foreach (CFunction function in ErrnoFunctions)
        {
            writer.Line();
            FunctionDoc(writer, function, withError: true);
            string parameters = Parameters(function);
            writer.Line($"public {TypeMapper.CSharp(function.Return)} {function.Name}_errno({parameters}{(parameters.Length > 0 ? ", " : string.Empty)}int* error)");
            writer.Open();
            if (IsOptional(function.Name))
            {
                writer.Line($"if ({function.Name} == null)");
                writer.Open();
                writer.Line($"throw new EntryPointNotFoundException(\"The loaded library does not export {function.Name}.\");");
                writer.Close();
            }
            string arguments = Arguments(function);
            string call = $"LibSplinterShim.{ErrnoWrapperName(function)}(({FunctionPointerType(function, false)}){function.Name}{(arguments.Length > 0 ? ", " + arguments : string.Empty)}, error);";
            writer.Line((function.Return.Kind == CTypeKind.Void ? string.Empty : "return ") + call);
            writer.Close();
        }

        writer.Line();
        writer.Line("private static void* Require(nint libraryHandle, string name)");
        writer.Open();
        writer.Line("if (!NativeLibrary.TryGetExport(libraryHandle, name, out nint address))");
        writer.Open();
        writer.Line("throw new EntryPointNotFoundException($\"The loaded libsplinter does not export {name}.\");");
        writer.Close();
        writer.Line("return (void*)address;");
        writer.Close();
        if (LibraryFunctions.Any(f => IsOptional(f.Name)))
        {
            writer.Line();
            writer.Line("private static void* Optional(nint libraryHandle, string name) =>");
            writer.Line("    NativeLibrary.TryGetExport(libraryHandle, name, out nint address) ? (void*)address : null;");
        }
        writer.Close();
        return writer.ToString();
    }
}
