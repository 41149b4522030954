/** One typed class per BPF map: records with their MemoryLayout over bpf-loader's maps. No native calls of its own. */
module io.twill.maps {
    requires transitive io.twill.bpf;
    requires transitive io.twill.types;
    requires org.slf4j;

    exports io.twill.maps;
    exports io.twill.maps.ct;
    exports io.twill.maps.endpoints;
    exports io.twill.maps.events;
    exports io.twill.maps.lb;
    exports io.twill.maps.metrics;
    exports io.twill.maps.snat;
    exports io.twill.maps.tunnel;
}
