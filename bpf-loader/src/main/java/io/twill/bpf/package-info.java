/**
 * Loading and attaching BPF programs through the system libbpf (1.1+), bound with the FFM API.
 *
 * <pre>{@code
 * try (BpfObject obj = ObjectSpec.fromResource("/io/twill/bpf/bpf_lxc.bpf.o")
 *         .withPinRoot(Path.of("/sys/fs/bpf/twill"))      // maps declared LIBBPF_PIN_BY_NAME are pinned/reused here
 *         .withConstant("vni", 2)                          // const volatile globals, set before load
 *         .load()) {                                       // all or nothing; VerifierException carries the log
 *     BpfMap endpoints = obj.map("twill_endpoints");       // lookup/update/delete/nextKey/batches on MemorySegments
 *     TcAttachment a = Tc.attach("lxc1234", TcDirection.INGRESS, obj.program("from_container"),
 *             TcAttachOptions.defaults()                   // TCX where the kernel has it, else cls_bpf
 *                     .withLinkPin(Path.of("/sys/fs/bpf/twill/links/lxc1234_ingress"))
 *                     .withOnClose(OnClose.KEEP));        // leave it running when the agent stops
 *     a.replace(newer);                                    // atomic swap (TCX link update / BPF_TC_F_REPLACE)
 * }
 * }</pre>
 *
 * <p>Owners: {@link io.twill.bpf.BpfObject} (programs and maps it loaded), {@link io.twill.bpf.BpfMap} and
 * {@link io.twill.bpf.BpfProgram} (borrowed from their object, or owning a descriptor after {@code take…} or
 * {@code openPinned}), {@link io.twill.bpf.TcAttachment} ({@link io.twill.bpf.TcxAttachment} /
 * {@link io.twill.bpf.ClsBpfAttachment}), {@link io.twill.bpf.BpfLink}, {@link io.twill.bpf.RingBuffer},
 * {@link io.twill.bpf.MapBatch}. Every {@code close()} is idempotent. Failures are unchecked
 * {@link io.twill.bpf.BpfException}s naming the operation, the object, the errno and libbpf's own text.
 * Netlink-based calls (cls_bpf, interface names) act in the calling thread's network namespace.
 * {@code io.twill.bpf.internal} holds the raw bindings and is not for use outside this module.
 */
package io.twill.bpf;
