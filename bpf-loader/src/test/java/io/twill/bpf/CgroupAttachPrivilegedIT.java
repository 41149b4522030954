package io.twill.bpf;

import io.twill.testkit.Cmd;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestCgroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * cgroup links on a real cgroup: cg_connect's connect4 programs on a fresh child cgroup, judged by what a process
 * inside that cgroup experiences (connect refused with EPERM by {@code deny}, let through and counted by
 * {@code allow}), swapped atomically through a pinned link that a second "agent" adopts, and gone after detach.
 */
@PrivilegedTest
@ExtendWith(FdLeakExtension.class)
class CgroupAttachPrivilegedIT {
    private TestCgroup cg;
    private ServerSocket server;

    @BeforeAll
    static void warmUp() throws IOException {
        TestBpf.warmUp();
        new ServerSocket(0, 1, InetAddress.getLoopbackAddress()).close(); // the JDK keeps a socket after the first use
    }

    @BeforeEach
    void setUp() throws IOException {
        cg = TestCgroup.create("cga");
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            server.close();
        } finally {
            cg.close();
        }
    }

    /** Connects from a process inside the test cgroup; "ok" or "errno N". */
    private String connectFromInside() {
        String py = "import socket\ns = socket.socket()\ns.settimeout(5)\ntry:\n  s.connect(('127.0.0.1', "
                + server.getLocalPort() + "))\n  print('ok')\nexcept OSError as e:\n  print('errno', e.errno)\n";
        return Cmd.exec(cg.wrap("/usr/bin/python3", "-c", py), 30).check().stdout().strip();
    }

    private static long connects(BpfObject obj) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = a.allocate(JAVA_INT), v = a.allocate(JAVA_LONG);
            assertThat(obj.map("connects").lookup(k, v)).isTrue();
            return v.get(JAVA_LONG, 0);
        }
    }

    @Test
    void aLinkOnACgroupActsOnItsProcessesAndSwapsProgramsAtomically() {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs(); BpfObject obj = TestBpf.spec("cg_connect").load()) {
            assertThat(connectFromInside()).as("nothing attached yet").isEqualTo("ok");
            Path pin = fs.resolve("connect4");
            int linkId;
            try (CgroupAttachment deny = CgroupAttachment.attach(obj.program("deny"), cg.path(),
                    CgroupAttachType.CONNECT4, pin, OnClose.KEEP)) {
                BpfLink.Info info = deny.link().info();
                assertThat(info.type()).isEqualTo(BpfLink.TYPE_CGROUP);
                assertThat(info.typeName()).isEqualTo("cgroup");
                assertThat(info.attachType()).isEqualTo(CgroupAttachType.CONNECT4.attachType());
                assertThat(info.cgroupId()).isEqualTo(CgroupAttachment.cgroupId(cg.path())).isPositive();
                assertThat(info.programId()).isEqualTo(obj.program("deny").id());
                linkId = info.id();
            }
            assertThat(connectFromInside()).as("EPERM from deny, kept by the pin after its owner closed").isEqualTo("errno 1");

            // A restarted owner adopts the pin and swaps the program in place: same link, new program.
            try (CgroupAttachment allow = CgroupAttachment.attach(obj.program("allow"), cg.path(),
                    CgroupAttachType.CONNECT4, pin, OnClose.KEEP)) {
                assertThat(allow.link().info().id()).isEqualTo(linkId);
                assertThat(allow.programId()).isEqualTo(obj.program("allow").id());
            }
            assertThat(connectFromInside()).isEqualTo("ok");
            assertThat(connects(obj)).isEqualTo(1);

            assertThatThrownBy(() -> CgroupAttachment.attach(obj.program("peer"), cg.path(),
                    CgroupAttachType.GETPEERNAME4, pin, OnClose.KEEP))
                    .hasMessageContaining("is on cgroup id").hasMessageContaining("cgroup/connect4")
                    .hasMessageContaining("cgroup/getpeername4");

            CgroupAttachment.adopt(pin, OnClose.KEEP).detach();
            assertThat(Files.exists(pin)).isFalse();
            assertThat(connectFromInside()).isEqualTo("ok");
            assertThat(connects(obj)).as("allow is detached").isEqualTo(1);
        }
    }

    @Test
    void anUnpinnedLinkEndsWithItsDescriptor() {
        try (BpfObject obj = TestBpf.spec("cg_connect").load()) {
            try (BpfLink link = BpfLink.attachCgroup(obj.program("deny"), cg.path(), CgroupAttachType.CONNECT4)) {
                assertThat(connectFromInside()).isEqualTo("errno 1");
                link.update(obj.program("allow"));
                assertThat(connectFromInside()).isEqualTo("ok");
            }
            assertThat(connectFromInside()).isEqualTo("ok");
            assertThat(connects(obj)).isEqualTo(1);
        }
    }

    @Test
    void aPinForARemovedCgroupIsStaleAndReplaced() throws IOException {
        try (TestBpf.Bpffs fs = new TestBpf.Bpffs(); BpfObject obj = TestBpf.spec("cg_connect").load()) {
            Path pin = fs.resolve("connect4");
            try (TestCgroup gone = TestCgroup.create("cgb")) {
                CgroupAttachment.attach(obj.program("deny"), gone.path(), CgroupAttachType.CONNECT4, pin, OnClose.KEEP)
                        .close();
            }
            // The kernel detaches a removed cgroup's links from a work queue, shortly after the rmdir.
            long id = -1;
            for (int i = 0; i < 200 && id != 0; i++) {
                try (CgroupAttachment a = CgroupAttachment.adopt(pin, OnClose.KEEP)) {
                    id = a.cgroupId();
                }
                if (id != 0) sleep(10);
            }
            assertThat(id).as("the kernel forgets a removed cgroup").isZero();
            try (CgroupAttachment fresh = CgroupAttachment.attach(obj.program("deny"), cg.path(),
                    CgroupAttachType.CONNECT4, pin, OnClose.DETACH)) {
                assertThat(fresh.cgroupId()).isEqualTo(CgroupAttachment.cgroupId(cg.path()));
                assertThat(connectFromInside()).isEqualTo("errno 1");
            }
            assertThat(Files.exists(pin)).as("DETACH removes the pin").isFalse();
            assertThat(connectFromInside()).isEqualTo("ok");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void wrongProgramsAndDirectoriesAreNamed() throws IOException {
        try (BpfObject obj = TestBpf.spec("cg_connect").load(); BpfObject tc = TestBpf.spec("tc_count").load()) {
            assertThatThrownBy(() -> BpfLink.attachCgroup(obj.program("peer"), cg.path(), CgroupAttachType.CONNECT4))
                    .isInstanceOf(BpfException.class).hasMessageContaining("EINVAL")
                    .hasMessageContaining("was not loaded for cgroup/connect4");
            assertThatThrownBy(() -> BpfLink.attachCgroup(tc.program("count_a"), cg.path(), CgroupAttachType.CONNECT4))
                    .hasMessageContaining("sched_cls");
            Path tmp = Files.createTempDirectory("tw-not-a-cgroup");
            try {
                assertThatThrownBy(() -> BpfLink.attachCgroup(obj.program("deny"), tmp, CgroupAttachType.CONNECT4))
                        .hasMessageContaining("EBADF").hasMessageContaining("not a cgroup v2 directory");
            } finally {
                Files.delete(tmp);
            }
            assertThatThrownBy(() -> BpfLink.attachCgroup(obj.program("deny"), Path.of("/nonexistent/cg"),
                    CgroupAttachType.CONNECT4)).hasMessageContaining("ENOENT").hasMessageContaining("/nonexistent/cg");
        }
        assertThat(cg.pids()).as("every client process has exited").isEmpty();
    }
}
