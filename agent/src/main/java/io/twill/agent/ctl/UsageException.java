package io.twill.agent.ctl;

/** The command line is wrong; twillctl prints the message and the usage, and exits 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
