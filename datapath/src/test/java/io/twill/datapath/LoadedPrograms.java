package io.twill.datapath;

import io.twill.testkit.Cmd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The programs loaded in the kernel ({@code bpftool -j prog show}) that use a given map. An attachment keeps its
 * program loaded, so after the owner is closed this counts what is still attached somewhere (TCX links or cls_bpf
 * filters alike; bpftool 7.1 cannot list TCX links by device).
 */
final class LoadedPrograms {
    record Prog(int id, String name, List<Integer> mapIds) {}

    private static final Pattern ID = Pattern.compile("\\{\"id\":(\\d+),");
    private static final Pattern NAME = Pattern.compile("\"name\":\"([^\"]*)\"");
    private static final Pattern MAPS = Pattern.compile("\"map_ids\":\\[([\\d,]*)]");

    private LoadedPrograms() {}

    static List<Prog> using(int mapId) {
        String json = Cmd.run("bpftool", "-j", "prog", "show").stdout();
        List<Prog> out = new ArrayList<>();
        Matcher m = ID.matcher(json);
        List<Integer> starts = new ArrayList<>();
        while (m.find()) starts.add(m.start());
        for (int i = 0; i < starts.size(); i++) {
            String obj = json.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : json.length());
            Matcher id = ID.matcher(obj), name = NAME.matcher(obj), maps = MAPS.matcher(obj);
            if (!id.find() || !name.find() || !maps.find() || maps.group(1).isEmpty()) continue;
            List<Integer> ids = Arrays.stream(maps.group(1).split(",")).map(Integer::parseInt).toList();
            if (ids.contains(mapId)) out.add(new Prog(Integer.parseInt(id.group(1)), name.group(1), ids));
        }
        return out;
    }

    static long count(int mapId, String name) {
        return using(mapId).stream().filter(p -> p.name().equals(name)).count();
    }
}
