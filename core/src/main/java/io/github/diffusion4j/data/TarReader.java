package io.github.diffusion4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Streams the regular files of a {@code .tar.gz} through Apache Commons Compress (ustar, pax and
 * GNU long names), rejecting {@code ..} and absolute paths before any entry is handed out.
 */
public final class TarReader {

    /** Receives one regular file; {@code content} ends at the end of the file and need not be read fully. */
    @FunctionalInterface
    public interface EntryHandler {
        void accept(String name, long size, InputStream content) throws IOException;
    }

    private TarReader() {}

    /** Calls {@code handler} for each regular file of the {@code .tar.gz} / {@code .tgz} at {@code archive}, in order. */
    public static void read(Path archive, EntryHandler handler) {
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
                GZIPInputStream gz = new GZIPInputStream(file, 1 << 16);
                TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            int index = 0;
            for (TarArchiveEntry e = nextEntry(tar, archive, index); e != null; e = nextEntry(tar, archive, index)) {
                index++;
                if (!e.isCheckSumOK()) {
                    throw new DataException(archive + " is not a valid tar archive: bad header checksum at entry " + index);
                }
                if (!isSafe(e.getName())) {
                    throw new DataException(archive + " contains an unsafe path '" + e.getName() + "'; refusing to extract it");
                }
                if (e.isFile()) {
                    handler.accept(e.getName(), e.getSize(), new FilterInputStream(tar) {
                        @Override
                        public void close() {} // the archive stream stays open for the next entry
                    });
                }
            }
        } catch (NoSuchFileException e) {
            throw new DataException(archive + " does not exist");
        } catch (EOFException e) {
            throw new DataException(archive + " is truncated");
        } catch (ZipException e) {
            throw new DataException(archive + " is not a valid gzip file: " + e.getMessage());
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).toLowerCase().contains("truncated")) {
                throw new DataException(archive + " is truncated");
            }
            throw new DataException("cannot read " + archive + ": " + e.getMessage(), e);
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, Path archive, int index) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IllegalArgumentException | IOException e) {
            if (e instanceof EOFException || e instanceof ZipException
                    || String.valueOf(e.getMessage()).toLowerCase().contains("truncated")) {
                throw e;
            }
            throw new DataException(archive + " is not a valid tar archive: entry " + (index + 1) + ": " + e.getMessage());
        }
    }

    /** Rejects absolute names and names with a {@code ..} segment. */
    static boolean isSafe(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            return false;
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
