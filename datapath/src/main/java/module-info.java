/**
 * The datapath loader: the four objects of twill-bpf-src (read as class-path resources), their configuration, the
 * attach operations and the typed maps they share. No native calls of its own.
 */
module io.twill.datapath {
    requires transitive io.twill.maps;
    requires transitive io.twill.bpf;
    requires transitive io.twill.types;
    requires org.slf4j;

    exports io.twill.datapath;
}
