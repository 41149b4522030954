/**
 * libbpf through FFM. {@code io.twill.bpf.internal} (the raw downcalls and struct layouts) is not exported: only
 * this module calls native code, so only it needs {@code --enable-native-access=io.twill.bpf} on the module path.
 */
module io.twill.bpf {
    requires io.twill.types;
    requires org.slf4j;

    exports io.twill.bpf;
}
