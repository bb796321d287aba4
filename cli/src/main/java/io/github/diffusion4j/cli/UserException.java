package io.github.diffusion4j.cli;

/** A problem with what the user asked for; printed as one line, exit code 2. */
public final class UserException extends RuntimeException {
    public UserException(String message) {
        super(message);
    }
}
