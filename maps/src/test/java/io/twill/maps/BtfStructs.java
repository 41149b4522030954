package io.twill.maps;

import io.twill.testkit.Cmd;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The structs described by a BPF object's BTF, read with {@code bpftool btf dump file … format raw} (no privileges
 * needed): name, size and every member's offset and size, with typedefs, const/volatile and arrays resolved.
 */
final class BtfStructs {
    record Member(String name, long offset, long size) {}

    record BtfStruct(String name, long size, List<Member> members) {}

    private record Type(String kind, String name, long size, int ref, long elems, List<String[]> members) {}

    private static final Pattern TYPE = Pattern.compile("^\\[(\\d+)] (\\w+) '([^']*)'(.*)$");
    private static final Pattern MEMBER = Pattern.compile("^\\s+'([^']*)' type_id=(\\d+) bits_offset=(\\d+)(.*)$");
    private static final Pattern NUM = Pattern.compile("(\\w+)=(\\d+)");

    private BtfStructs() {}

    /** Copies a classpath resource (e.g. /io/twill/bpf/bpf_lxc.bpf.o) to a temp file and parses its BTF. */
    static Map<String, BtfStruct> ofResource(String resource, Path tmp) {
        try (InputStream in = BtfStructs.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("no resource " + resource + " (build bpf-src first)");
            Path f = tmp.resolve(resource.substring(resource.lastIndexOf('/') + 1));
            Files.copy(in, f);
            return parse(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, BtfStruct> parse(Path object) {
        String raw = Cmd.run("bpftool", "btf", "dump", "file", object.toString(), "format", "raw").stdout();
        Map<Integer, Type> types = new HashMap<>();
        int current = -1;
        for (String line : raw.split("\n")) {
            Matcher t = TYPE.matcher(line);
            if (t.matches()) {
                current = Integer.parseInt(t.group(1));
                Map<String, Long> attrs = new HashMap<>();
                Matcher n = NUM.matcher(t.group(4));
                while (n.find()) attrs.put(n.group(1), Long.parseLong(n.group(2)));
                types.put(current, new Type(t.group(2), t.group(3), attrs.getOrDefault("size", -1L),
                        attrs.getOrDefault("type_id", -1L).intValue(), attrs.getOrDefault("nr_elems", 0L),
                        new ArrayList<>()));
                continue;
            }
            Matcher m = MEMBER.matcher(line);
            if (m.matches() && current >= 0) {
                if (m.group(4).contains("bitfield_size")) continue; // no bitfields in Twill's own structs
                types.get(current).members().add(new String[]{m.group(1), m.group(2), m.group(3)});
            }
        }
        Map<String, BtfStruct> structs = new HashMap<>();
        for (Type t : types.values()) {
            if (!t.kind().equals("STRUCT") || t.name().equals("(anon)")) continue;
            List<Member> members = new ArrayList<>();
            for (String[] m : t.members()) {
                long bits = Long.parseLong(m[2]);
                members.add(new Member(m[0], bits / 8, sizeOf(types, Integer.parseInt(m[1]))));
            }
            structs.put(t.name(), new BtfStruct(t.name(), t.size(), members));
        }
        return structs;
    }

    private static long sizeOf(Map<Integer, Type> types, int id) {
        Type t = types.get(id);
        if (t == null) throw new IllegalStateException("BTF type " + id + " missing");
        return switch (t.kind()) {
            case "INT", "STRUCT", "UNION", "ENUM", "ENUM64" -> t.size();
            case "TYPEDEF", "CONST", "VOLATILE", "RESTRICT", "TYPE_TAG" -> sizeOf(types, t.ref());
            case "ARRAY" -> t.elems() * sizeOf(types, t.ref());
            case "PTR" -> 8;
            default -> throw new IllegalStateException("BTF kind " + t.kind() + " has no size here");
        };
    }
}
