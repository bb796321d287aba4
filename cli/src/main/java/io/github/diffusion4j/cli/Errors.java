package io.github.diffusion4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * Turns exceptions into exit codes and one-line messages (product.md, "Bad input"): user errors
 * exit with 2 and no stack trace unless {@code --verbose}; anything else is a bug, exit 1.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler {
    static final int USER_ERROR = 2;
    static final int INTERNAL_ERROR = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.hasMatchedOption("--verbose")
                || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
        Throwable cause = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        boolean user = isUserError(cause);
        System.err.println("d4j: " + message(cause));
        if (verbose) {
            cause.printStackTrace();
        } else if (!user) {
            System.err.println("d4j: this looks like a bug; run again with --verbose for the stack trace");
        }
        return user ? USER_ERROR : INTERNAL_ERROR;
    }

    static boolean isUserError(Throwable t) {
        return t instanceof UserException || t instanceof IllegalArgumentException || t instanceof IOException
                || t instanceof io.github.diffusion4j.data.DataException;
    }

    static String message(Throwable t) {
        if (t instanceof NoSuchFileException e) {
            return e.getFile() + ": no such file";
        }
        if (t instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied";
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
