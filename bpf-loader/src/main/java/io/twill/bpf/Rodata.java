package io.twill.bpf;

import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.LibbpfStructs;
import io.twill.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Sets {@code const volatile} globals of an opened (not yet loaded) object: finds each variable's offset in the
 * {@code .rodata} DATASEC of the object's BTF and writes the value into the internal map's initial image.
 */
final class Rodata {
    private Rodata() {}

    static final int BTF_KIND_DATASEC = 15;
    private static final long TYPE_SIZE = LibbpfStructs.btf_type.byteSize();
    private static final long SECINFO_SIZE = LibbpfStructs.btf_var_secinfo.byteSize();

    /** A variable's place in its section. */
    record Var(String name, int offset, int size) {}

    public static void apply(MemorySegment obj, String objName, Map<String, byte[]> constants) {
        if (constants.isEmpty()) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment btf = (MemorySegment) Libbpf.bpf_object__btf.invokeExact(obj);
            if (btf.address() == 0) {
                throw new BpfException("set constants", objName, 0,
                        "the object has no BTF; build it with clang -g so const volatile globals can be found", "");
            }
            Map<String, Var> vars = datasecVars(btf, ".rodata", a);
            if (vars == null) {
                throw new BpfException("set constants", objName, 0, "the object has no .rodata section; declare "
                        + "the settings as 'const volatile' globals: " + constants.keySet(), "");
            }
            MemorySegment map = rodataMap(obj);
            if (map == null) throw new BpfException("set constants", objName, 0, "libbpf made no .rodata map", "");
            MemorySegment psize = a.allocate(JAVA_LONG);
            MemorySegment image = (MemorySegment) Libbpf.bpf_map__initial_value.invokeExact(map, psize);
            long size = psize.get(JAVA_LONG, 0);
            if (image.address() == 0) throw new BpfException("bpf_map__initial_value", objName + ".rodata", 0, null, "");
            image = image.reinterpret(size);
            for (var e : constants.entrySet()) {
                Var v = vars.get(e.getKey());
                if (v == null) {
                    throw new BpfException("set constants", objName, 0, "no const volatile global '" + e.getKey()
                            + "' in .rodata; it has " + vars.keySet(), "");
                }
                if (v.size() != e.getValue().length) {
                    throw new BpfException("set constants", objName, 0, "'" + e.getKey() + "' is " + v.size()
                            + " bytes in the object, but " + e.getValue().length + " bytes were given", "");
                }
                MemorySegment.copy(MemorySegment.ofArray(e.getValue()), 0, image, v.offset(), v.size());
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** name → place of every variable in DATASEC {@code section}, or null when there is no such section. */
    static Map<String, Var> datasecVars(MemorySegment btf, String section, Arena a) throws Throwable {
        int id = (int) Libbpf.btf__find_by_name_kind.invokeExact(btf, a.allocateFrom(section), BTF_KIND_DATASEC);
        if (id < 0) return null;
        MemorySegment t = ((MemorySegment) Libbpf.btf__type_by_id.invokeExact(btf, id)).reinterpret(TYPE_SIZE);
        int vlen = t.get(JAVA_INT, 4) & 0xffff;
        MemorySegment infos = t.reinterpret(TYPE_SIZE + vlen * SECINFO_SIZE).asSlice(TYPE_SIZE);
        Map<String, Var> vars = new LinkedHashMap<>();
        for (int i = 0; i < vlen; i++) {
            long base = i * SECINFO_SIZE;
            int varType = infos.get(JAVA_INT, base);
            int offset = infos.get(JAVA_INT, base + 4);
            int size = infos.get(JAVA_INT, base + 8);
            MemorySegment var = ((MemorySegment) Libbpf.btf__type_by_id.invokeExact(btf, varType)).reinterpret(TYPE_SIZE);
            String name = Native.string((MemorySegment) Libbpf.btf__name_by_offset.invokeExact(btf, var.get(JAVA_INT, 0)));
            vars.put(name, new Var(name, offset, size));
        }
        return vars;
    }

    private static MemorySegment rodataMap(MemorySegment obj) throws Throwable {
        MemorySegment m = MemorySegment.NULL;
        while (true) {
            m = (MemorySegment) Libbpf.bpf_object__next_map.invokeExact(obj, m);
            if (m.address() == 0) return null;
            String name = Native.string((MemorySegment) Libbpf.bpf_map__name.invokeExact(m));
            boolean internal = (boolean) Libbpf.bpf_map__is_internal.invokeExact(m);
            if (internal && name != null && name.endsWith(".rodata")) return m;
        }
    }

}
