package io.github.diffusion4j.data;

/** A dataset that cannot be found, read or fetched; the message is one line naming the file or the command to run. */
public class DataException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param message one line naming the file (or command) and what is wrong */
    public DataException(String message) {
        super(message);
    }

    /** @param message one line naming the file (or command) and what is wrong */
    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
