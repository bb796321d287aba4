package io.github.diffusion4j.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a file so that readers only ever see the old or the complete new content: into a
 * temporary file beside the target, flushed to disk, then atomically renamed over it (product.md:
 * "the latest checkpoint on disk is always complete"). The temporary file is removed on failure.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Produces the content. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel, OutputStream out) throws IOException;
    }

    /** Writes {@code target} through {@code body}. */
    public static void write(Path target, Body body) throws IOException {
        Path temp = target.toAbsolutePath().resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // A body may close its stream (ZipOutputStream does); that must not close the channel.
                OutputStream out = new FilterOutputStream(Channels.newOutputStream(channel)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        this.out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                };
                body.write(channel, out);
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
