package io.twill.bpf;

/**
 * What {@link BpfProgram#testRun} returned: the program's return code (TC_ACT_OK = 0, TC_ACT_SHOT = 2,
 * TC_ACT_REDIRECT = 7, …), the packet as the program left it, and the kernel's average time per run.
 */
public record TestRunResult(int retval, byte[] dataOut, long durationNanos) {
    public TestRunResult {
        dataOut = dataOut.clone();
    }

    @Override
    public byte[] dataOut() { return dataOut.clone(); }
}
