package io.twill.maps;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Compares a Java struct layout with the BTF struct of the same name; returns every difference it finds. */
final class LayoutCheck {
    private LayoutCheck() {}

    static List<String> compare(StructLayout java, BtfStructs.BtfStruct btf) {
        String name = java.name().orElse("?");
        List<String> problems = new ArrayList<>();
        if (java.byteSize() != btf.size()) {
            problems.add(name + ": size Java=" + java.byteSize() + " BTF=" + btf.size());
        }
        Map<String, long[]> javaMembers = members(java);
        for (BtfStructs.Member m : btf.members()) {
            long[] j = javaMembers.remove(m.name());
            if (j == null) {
                problems.add(name + "." + m.name() + ": in BTF (offset " + m.offset() + ") but not in the Java layout");
            } else if (j[0] != m.offset() || j[1] != m.size()) {
                problems.add(name + "." + m.name() + ": Java offset/size " + j[0] + "/" + j[1] + ", BTF "
                        + m.offset() + "/" + m.size());
            }
        }
        for (String extra : javaMembers.keySet()) problems.add(name + "." + extra + ": in the Java layout but not in BTF");
        return problems;
    }

    /** Named members: name -> {offset, size}. Unnamed padding must not exist: C padding is spelled out. */
    private static Map<String, long[]> members(GroupLayout g) {
        Map<String, long[]> out = new LinkedHashMap<>();
        long off = 0;
        for (MemoryLayout m : g.memberLayouts()) {
            if (m instanceof PaddingLayout) {
                out.put("<padding@" + off + ">", new long[]{off, m.byteSize()});
            } else {
                out.put(m.name().orElse("<unnamed@" + off + ">"), new long[]{off, m.byteSize()});
            }
            off += m.byteSize();
        }
        return out;
    }
}
