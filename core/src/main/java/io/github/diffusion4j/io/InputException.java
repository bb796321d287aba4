package io.github.diffusion4j.io;

/**
 * A user error (product.md, "Bad input"): a file, value or option that cannot be used. The message
 * is one line naming the input and the problem; the CLI prints it and exits with code 2. It extends
 * {@link IllegalArgumentException} for callers that catch that, but a plain
 * {@code IllegalArgumentException} is a bug, not a user error.
 */
public class InputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the input and what is wrong */
    public InputException(String message) {
        super(message);
    }

    /** @param message one line naming the input and what is wrong */
    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
