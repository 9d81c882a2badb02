using Splinter.Interop.Native;

namespace Splinter.Interop.Tests.Raw;

/// <summary>
/// Every library function, called either through LibSplinter's [LibraryImport] statics (bound to the shared-memory
/// library) or through one SplinterApi function table, under the same name and parameters: RawCases writes each call
/// once and RawLayerTests runs it on both raw layers. RawLayerTests.TheLayerHasEveryFunctionOfBothRawLayers checks
/// that this mirror has every function of both layers with their exact signatures.
/// </summary>
internal sealed unsafe class RawLayer
{
    private readonly SplinterApi? _api;

    private RawLayer(SplinterApi? api) => _api = api;

    /// <summary>The [LibraryImport] statics of LibSplinter.</summary>
    public static RawLayer Static { get; } = new(null);

    /// <summary>One loaded library's function table.</summary>
    public static RawLayer Table(SplinterApi api) => new(api);

    public int splinter_append(sbyte* key, void* data, nuint data_len, nuint* new_len) =>
        _api is null ? LibSplinter.splinter_append(key, data, data_len, new_len) : _api.splinter_append(key, data, data_len, new_len);

    public int splinter_bump_slot(sbyte* key) =>
        _api is null ? LibSplinter.splinter_bump_slot(key) : _api.splinter_bump_slot(key);

    public int splinter_client_set_tandem(sbyte* base_key, void** vals, nuint* lens, byte orders) =>
        _api is null ? LibSplinter.splinter_client_set_tandem(base_key, vals, lens, orders) : _api.splinter_client_set_tandem(base_key, vals, lens, orders);

    public void splinter_client_unset_tandem(sbyte* base_key, byte orders)
    {
        if (_api is null) { LibSplinter.splinter_client_unset_tandem(base_key, orders); } else { _api.splinter_client_unset_tandem(base_key, orders); }
    }

    public void splinter_close()
    {
        if (_api is null) { LibSplinter.splinter_close(); } else { _api.splinter_close(); }
    }

    public void splinter_config_clear(splinter_header* hdr, byte mask)
    {
        if (_api is null) { LibSplinter.splinter_config_clear(hdr, mask); } else { _api.splinter_config_clear(hdr, mask); }
    }

    public void splinter_config_set(splinter_header* hdr, byte mask)
    {
        if (_api is null) { LibSplinter.splinter_config_set(hdr, mask); } else { _api.splinter_config_set(hdr, mask); }
    }

    public byte splinter_config_snapshot(splinter_header* hdr) =>
        _api is null ? LibSplinter.splinter_config_snapshot(hdr) : _api.splinter_config_snapshot(hdr);

    public int splinter_config_test(splinter_header* hdr, byte mask) =>
        _api is null ? LibSplinter.splinter_config_test(hdr, mask) : _api.splinter_config_test(hdr, mask);

    public int splinter_create(sbyte* name_or_path, nuint slots, nuint max_value_sz) =>
        _api is null ? LibSplinter.splinter_create(name_or_path, slots, max_value_sz) : _api.splinter_create(name_or_path, slots, max_value_sz);

    public int splinter_create_or_open(sbyte* name_or_path, nuint slots, nuint max_value_sz) =>
        _api is null ? LibSplinter.splinter_create_or_open(name_or_path, slots, max_value_sz) : _api.splinter_create_or_open(name_or_path, slots, max_value_sz);

    public void splinter_enumerate_matches(ulong mask, delegate* unmanaged[Cdecl]<sbyte*, ulong, void*, void> callback, void* user_data)
    {
        if (_api is null) { LibSplinter.splinter_enumerate_matches(mask, callback, user_data); } else { _api.splinter_enumerate_matches(mask, callback, user_data); }
    }

    public void splinter_event_bus_close(int fd)
    {
        if (_api is null) { LibSplinter.splinter_event_bus_close(fd); } else { _api.splinter_event_bus_close(fd); }
    }

    public void splinter_event_bus_get_dirty(ulong* @out, nuint words)
    {
        if (_api is null) { LibSplinter.splinter_event_bus_get_dirty(@out, words); } else { _api.splinter_event_bus_get_dirty(@out, words); }
    }

    public int splinter_event_bus_init() =>
        _api is null ? LibSplinter.splinter_event_bus_init() : _api.splinter_event_bus_init();

    public int splinter_event_bus_open() =>
        _api is null ? LibSplinter.splinter_event_bus_open() : _api.splinter_event_bus_open();

    public int splinter_event_bus_wait(int fd, ulong timeout_ms) =>
        _api is null ? LibSplinter.splinter_event_bus_wait(fd, timeout_ms) : _api.splinter_event_bus_wait(fd, timeout_ms);

    public int splinter_get(sbyte* key, void* buf, nuint buf_sz, nuint* out_sz) =>
        _api is null ? LibSplinter.splinter_get(key, buf, buf_sz, out_sz) : _api.splinter_get(key, buf, buf_sz, out_sz);

#if SPLINTER_EMBEDDINGS
    public int splinter_get_embedding(sbyte* key, float* embedding_out) =>
        _api is null ? LibSplinter.splinter_get_embedding(key, embedding_out) : _api.splinter_get_embedding(key, embedding_out);
#endif

    public ulong splinter_get_epoch(sbyte* key) =>
        _api is null ? LibSplinter.splinter_get_epoch(key) : _api.splinter_get_epoch(key);

    public int splinter_get_header_snapshot(splinter_header_snapshot* snapshot) =>
        _api is null ? LibSplinter.splinter_get_header_snapshot(snapshot) : _api.splinter_get_header_snapshot(snapshot);

    public int splinter_get_mop() =>
        _api is null ? LibSplinter.splinter_get_mop() : _api.splinter_get_mop();

    public void* splinter_get_raw_ptr(sbyte* key, nuint* out_sz, ulong* out_epoch) =>
        _api is null ? LibSplinter.splinter_get_raw_ptr(key, out_sz, out_epoch) : _api.splinter_get_raw_ptr(key, out_sz, out_epoch);

    public ulong splinter_get_signal_count(byte group_id) =>
        _api is null ? LibSplinter.splinter_get_signal_count(group_id) : _api.splinter_get_signal_count(group_id);

    public int splinter_get_slot_snapshot(sbyte* key, splinter_slot_snapshot* snapshot) =>
        _api is null ? LibSplinter.splinter_get_slot_snapshot(key, snapshot) : _api.splinter_get_slot_snapshot(key, snapshot);

    public int splinter_integer_op(sbyte* key, splinter_integer_op_t op, void* mask) =>
        _api is null ? LibSplinter.splinter_integer_op(key, op, mask) : _api.splinter_integer_op(key, op, mask);

    public int splinter_list(sbyte** out_keys, nuint max_keys, nuint* out_count) =>
        _api is null ? LibSplinter.splinter_list(out_keys, max_keys, out_count) : _api.splinter_list(out_keys, max_keys, out_count);

    public int splinter_madvise(uint shard_id, void* addr, nuint len, int advice, ulong timeout_ticks) =>
        _api is null ? LibSplinter.splinter_madvise(shard_id, addr, len, advice, timeout_ticks) : _api.splinter_madvise(shard_id, addr, len, advice, timeout_ticks);

    public int splinter_open(sbyte* name_or_path) =>
        _api is null ? LibSplinter.splinter_open(name_or_path) : _api.splinter_open(name_or_path);

    public int splinter_open_or_create(sbyte* name_or_path, nuint slots, nuint max_value_sz) =>
        _api is null ? LibSplinter.splinter_open_or_create(name_or_path, slots, max_value_sz) : _api.splinter_open_or_create(name_or_path, slots, max_value_sz);

    public int splinter_poll(sbyte* key, ulong timeout_ms) =>
        _api is null ? LibSplinter.splinter_poll(key, timeout_ms) : _api.splinter_poll(key, timeout_ms);

    public int splinter_pulse_keygroup(sbyte* key) =>
        _api is null ? LibSplinter.splinter_pulse_keygroup(key) : _api.splinter_pulse_keygroup(key);

    public void splinter_pulse_watchers(splinter_slot* slot)
    {
        if (_api is null) { LibSplinter.splinter_pulse_watchers(slot); } else { _api.splinter_pulse_watchers(slot); }
    }

    public void splinter_purge()
    {
        if (_api is null) { LibSplinter.splinter_purge(); } else { _api.splinter_purge(); }
    }

    public int splinter_retrain_slot(sbyte* key) =>
        _api is null ? LibSplinter.splinter_retrain_slot(key) : _api.splinter_retrain_slot(key);

    public int splinter_set(sbyte* key, void* val, nuint len) =>
        _api is null ? LibSplinter.splinter_set(key, val, len) : _api.splinter_set(key, val, len);

    public int splinter_set_as_system(sbyte* key) =>
        _api is null ? LibSplinter.splinter_set_as_system(key) : _api.splinter_set_as_system(key);

#if SPLINTER_EMBEDDINGS
    public int splinter_set_embedding(sbyte* key, float* embedding) =>
        _api is null ? LibSplinter.splinter_set_embedding(key, embedding) : _api.splinter_set_embedding(key, embedding);
#endif

    public int splinter_set_label(sbyte* key, ulong mask) =>
        _api is null ? LibSplinter.splinter_set_label(key, mask) : _api.splinter_set_label(key, mask);

    public int splinter_set_mop(uint mode) =>
        _api is null ? LibSplinter.splinter_set_mop(mode) : _api.splinter_set_mop(mode);

    public int splinter_set_named_type(sbyte* key, ushort mask) =>
        _api is null ? LibSplinter.splinter_set_named_type(key, mask) : _api.splinter_set_named_type(key, mask);

    public int splinter_set_slot_time(sbyte* key, ushort mode, ulong epoch, nuint offset) =>
        _api is null ? LibSplinter.splinter_set_slot_time(key, mode, epoch, offset) : _api.splinter_set_slot_time(key, mode, epoch, offset);

    public int splinter_shard_claim(uint shard_id, byte intent, byte priority, ulong duration_tsc) =>
        _api is null ? LibSplinter.splinter_shard_claim(shard_id, intent, priority, duration_tsc) : _api.splinter_shard_claim(shard_id, intent, priority, duration_tsc);

    public int splinter_shard_claim_ex(uint shard_id, uint pid, byte intent, byte priority, ulong duration_tsc, ulong claimed_at) =>
        _api is null ? LibSplinter.splinter_shard_claim_ex(shard_id, pid, intent, priority, duration_tsc, claimed_at) : _api.splinter_shard_claim_ex(shard_id, pid, intent, priority, duration_tsc, claimed_at);

    public uint splinter_shard_election(byte* out_intent) =>
        _api is null ? LibSplinter.splinter_shard_election(out_intent) : _api.splinter_shard_election(out_intent);

    public int splinter_shard_is_sovereign(uint shard_id) =>
        _api is null ? LibSplinter.splinter_shard_is_sovereign(shard_id) : _api.splinter_shard_is_sovereign(shard_id);

    public int splinter_shard_rebid(uint shard_id, byte intent, byte priority, ulong duration_tsc) =>
        _api is null ? LibSplinter.splinter_shard_rebid(shard_id, intent, priority, duration_tsc) : _api.splinter_shard_rebid(shard_id, intent, priority, duration_tsc);

    public int splinter_shard_release(uint shard_id) =>
        _api is null ? LibSplinter.splinter_shard_release(shard_id) : _api.splinter_shard_release(shard_id);

    public int splinter_shard_table_snapshot(splinter_shard_bid_snapshot* @out, nuint max) =>
        _api is null ? LibSplinter.splinter_shard_table_snapshot(@out, max) : _api.splinter_shard_table_snapshot(@out, max);

    public void splinter_slot_usr_clear(splinter_slot* slot, ushort mask)
    {
        if (_api is null) { LibSplinter.splinter_slot_usr_clear(slot, mask); } else { _api.splinter_slot_usr_clear(slot, mask); }
    }

    public void splinter_slot_usr_set(splinter_slot* slot, ushort mask)
    {
        if (_api is null) { LibSplinter.splinter_slot_usr_set(slot, mask); } else { _api.splinter_slot_usr_set(slot, mask); }
    }

    public ushort splinter_slot_usr_snapshot(splinter_slot* slot) =>
        _api is null ? LibSplinter.splinter_slot_usr_snapshot(slot) : _api.splinter_slot_usr_snapshot(slot);

    public int splinter_slot_usr_test(splinter_slot* slot, ushort mask) =>
        _api is null ? LibSplinter.splinter_slot_usr_test(slot, mask) : _api.splinter_slot_usr_test(slot, mask);

    public int splinter_unset(sbyte* key) =>
        _api is null ? LibSplinter.splinter_unset(key) : _api.splinter_unset(key);

    public int splinter_unset_label(sbyte* key, ulong mask) =>
        _api is null ? LibSplinter.splinter_unset_label(key, mask) : _api.splinter_unset_label(key, mask);

    public int splinter_watch_label_register(ulong bloom_mask, byte group_id) =>
        _api is null ? LibSplinter.splinter_watch_label_register(bloom_mask, group_id) : _api.splinter_watch_label_register(bloom_mask, group_id);

    public int splinter_watch_register(sbyte* key, byte group_id) =>
        _api is null ? LibSplinter.splinter_watch_register(key, group_id) : _api.splinter_watch_register(key, group_id);

    public int splinter_watch_unregister(sbyte* key, byte group_id) =>
        _api is null ? LibSplinter.splinter_watch_unregister(key, group_id) : _api.splinter_watch_unregister(key, group_id);
}
