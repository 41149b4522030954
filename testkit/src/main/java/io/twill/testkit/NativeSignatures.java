package io.twill.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Proves hand-written FFM descriptors against the C headers: writes a C++ program that includes the headers and
 * prints, for every function (or function-pointer typedef), the kind of its return type and of each parameter as
 * the compiler sees them ({@code decltype} of the declaration), compiles it with {@code g++}, runs it and compares
 * with the {@link FunctionDescriptor}s. A kind is {@code V} (void), {@code B} (bool), {@code P} (any pointer), or
 * {@code I<size>} (integer or enum of that many bytes); signedness and pointee types are what FFM cannot see either.
 * Variadic functions compare their fixed parameters ({@code Linker.Option.firstVariadicArg}) and must be variadic in C.
 * C++ only because C has no way to take a declaration's parameter types apart; the headers are the C ones.
 */
public final class NativeSignatures {
    private NativeSignatures() {}

    /**
     * One binding.
     *
     * @param name             the C function, or the function-pointer typedef of an upcall
     * @param descriptor       what Java binds it with
     * @param firstVariadicArg index of the first variadic argument, or -1 for a fixed-arity function
     * @param typedef          true when {@code name} is a function-pointer typedef (an upcall's type)
     */
    public record Signature(String name, FunctionDescriptor descriptor, int firstVariadicArg, boolean typedef) {
        public Signature {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(descriptor, "descriptor");
        }

        public static Signature function(String name, FunctionDescriptor d, int firstVariadicArg) {
            return new Signature(name, d, firstVariadicArg, false);
        }

        public static Signature callback(String typedef, FunctionDescriptor d) {
            return new Signature(typedef, d, -1, true);
        }

        /** The kinds Java binds, in the program's output format: {@code RET ( ARG ARG ... )}. */
        String javaKinds() {
            StringBuilder sb = new StringBuilder(descriptor.returnLayout().map(NativeSignatures::kind).orElse("V")).append(" (");
            List<MemoryLayout> args = descriptor.argumentLayouts();
            int fixed = firstVariadicArg >= 0 ? firstVariadicArg : args.size();
            for (int i = 0; i < fixed; i++) sb.append(' ').append(kind(args.get(i)));
            return sb.append(firstVariadicArg >= 0 ? " ... )" : " )").toString();
        }
    }

    static String kind(MemoryLayout l) {
        if (l instanceof AddressLayout) return "P";
        if (l instanceof ValueLayout.OfBoolean) return "B";
        if (l instanceof ValueLayout.OfFloat || l instanceof ValueLayout.OfDouble) return "F" + l.byteSize();
        if (l instanceof ValueLayout) return "I" + l.byteSize();
        return "S" + l.byteSize(); // a struct by value
    }

    /**
     * Compiles and runs the probe in {@code dir}; returns one line per binding whose C signature differs (empty when
     * all match). {@code includes} are the headers (as in {@code #include <...>}), {@code includeDirs} go before the
     * system's. A name C does not declare fails the compile, with g++'s message.
     */
    public static List<String> mismatches(Path dir, List<String> includes, List<Path> includeDirs, List<Signature> signatures) {
        StringBuilder src = new StringBuilder();
        for (String h : includes) src.append("#include <").append(h).append(">\n");
        src.append("""
                #include <cstdio>
                #include <type_traits>
                template <typename T> static void kind() {
                    if constexpr (std::is_void_v<T>) std::printf(" V");
                    else if constexpr (std::is_same_v<std::remove_cv_t<T>, bool>) std::printf(" B");
                    else if constexpr (std::is_pointer_v<T>) std::printf(" P");
                    else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) std::printf(" I%zu", sizeof(T));
                    else if constexpr (std::is_floating_point_v<T>) std::printf(" F%zu", sizeof(T));
                    else std::printf(" S%zu", sizeof(T));
                }
                template <typename F> struct sig;
                #define TWILL_SIG(NOEXCEPT) \\
                    template <typename R, typename... A> struct sig<R(A...) NOEXCEPT> { \\
                        static void print(const char *n) { std::printf("%s", n); kind<R>(); std::printf(" ("); \\
                            (kind<A>(), ...); std::printf(" )\\n"); } }; \\
                    template <typename R, typename... A> struct sig<R(A..., ...) NOEXCEPT> { \\
                        static void print(const char *n) { std::printf("%s", n); kind<R>(); std::printf(" ("); \\
                            (kind<A>(), ...); std::printf(" ... )\\n"); } };
                TWILL_SIG()
                TWILL_SIG(noexcept)
                int main() {
                """);
        for (Signature s : signatures) {
            String type = s.typedef() ? "std::remove_pointer_t<" + s.name() + ">" : "decltype(" + s.name() + ")";
            src.append("    sig<").append(type).append(">::print(\"").append(s.name()).append("\");\n");
        }
        src.append("    return 0;\n}\n");
        try {
            Path cc = Files.writeString(dir.resolve("signatures.cc"), src);
            Path exe = dir.resolve("signatures");
            List<String> cmd = new ArrayList<>(List.of("g++", "-std=gnu++17", "-w", "-o", exe.toString()));
            for (Path d : includeDirs) cmd.add("-I" + d);
            cmd.add(cc.toString());
            Cmd.exec(cmd, 120).check();
            Map<String, String> fromC = new LinkedHashMap<>();
            for (String line : Cmd.run(exe.toString()).stdout().lines().toList()) {
                int sp = line.indexOf(' ');
                fromC.put(line.substring(0, sp), line.substring(sp + 1));
            }
            List<String> out = new ArrayList<>();
            for (Signature s : signatures) {
                String c = fromC.get(s.name()), java = s.javaKinds();
                if (!java.equals(c)) out.add(s.name() + ": C " + c + ", Java " + java);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
