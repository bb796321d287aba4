package io.github.diffusion4j.cli;

import io.github.diffusion4j.engine.ShutdownGuard;
import io.github.diffusion4j.data.DataException;
import io.github.diffusion4j.io.InputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * Turns exceptions into exit codes and one-line messages (product.md, "Bad input"). The
 * classification is explicit: a user error — {@link UserException}, the library's
 * {@link InputException} (which {@code ConfigException} is), {@link DataException}, or an
 * {@link IOException} (a file that cannot be read or written; the readers' own format exceptions,
 * {@code SafetensorsFormatException} and {@code Npy.FormatException}, are IOExceptions) — exits with
 * 2 and one line, no stack trace unless {@code --verbose}. Anything else, a plain
 * {@link IllegalArgumentException} or {@link ArithmeticException} from an internal check included,
 * is a bug: exit 1 with a hint to run again with {@code --verbose}.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    static final int USER_ERROR = 2;
    static final int INTERNAL_ERROR = 1;
    /** Exit status after SIGTERM (128 + 15); the JVM's own status on the signal wins anyway. */
    static final int SIGNALLED = 143;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
        Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (cause instanceof ShutdownGuard.ShutdownInProgress) {
            System.err.println("d4j: stopped by a signal; what was written before it is complete");
            return SIGNALLED;
        }
        boolean user = isUserError(cause);
        System.err.println("d4j: " + oneLine(message(ex)));
        if (verbose) {
            ex.printStackTrace();
        } else if (!user) {
            System.err.println("d4j: this looks like a bug; run again with --verbose for the stack trace");
        }
        return user ? USER_ERROR : INTERNAL_ERROR;
    }

    static boolean isUserError(Throwable t) {
        return t instanceof UserException || t instanceof InputException || t instanceof DataException
                || t instanceof IOException;
    }

    /**
     * The message to print. An {@link UncheckedIOException} that wraps with its own message (which
     * usually adds the file and what was being done) keeps it; otherwise the cause's message is used.
     */
    static String message(Throwable t) {
        if (t instanceof UncheckedIOException u && u.getCause() != null) {
            String own = u.getMessage();
            if (own != null && !own.equals(u.getCause().toString())) {
                return own;
            }
            return message(u.getCause());
        }
        if (t instanceof NoSuchFileException e) {
            return e.getFile() + ": no such file";
        }
        if (t instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied";
        }
        if (t instanceof FileAlreadyExistsException e && e.getReason() == null) {
            return e.getFile() + ": already exists and is not a directory";
        }
        if (t instanceof NotDirectoryException e) {
            return e.getFile() + ": not a directory";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Newlines and other control characters of {@code s} as escapes, so that the message is one line. */
    static String oneLine(String s) {
        return Text.escape(s.strip());
    }
}
