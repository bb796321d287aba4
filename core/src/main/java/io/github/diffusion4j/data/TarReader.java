package io.github.diffusion4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Streams the regular files of a {@code .tar.gz} (ustar, pax and GNU long names), rejecting {@code ..} and absolute paths. */
public final class TarReader {

    private static final int BLOCK = 512;

    /** Receives one regular file; {@code content} ends at the end of the file and need not be read fully. */
    @FunctionalInterface
    public interface EntryHandler {
        void accept(String name, long size, InputStream content) throws IOException;
    }

    private TarReader() {}

    /** Calls {@code handler} for each regular file of the {@code .tar.gz} / {@code .tgz} at {@code archive}, in order. */
    public static void read(Path archive, EntryHandler handler) {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16),
                1 << 16)) {
            new Walk(archive, in).run(handler);
        } catch (NoSuchFileException e) {
            throw new DataException(archive + " does not exist");
        } catch (EOFException e) {
            throw new DataException(archive + " is truncated");
        } catch (ZipException e) {
            throw new DataException(archive + " is not a valid gzip file: " + e.getMessage());
        } catch (IOException e) {
            throw new DataException("cannot read " + archive + ": " + e.getMessage(), e);
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

    private static final class Walk {
        private final Path archive;
        private final InputStream in;
        private final byte[] header = new byte[BLOCK];
        private String longName;
        private int entry;

        Walk(Path archive, InputStream in) {
            this.archive = archive;
            this.in = in;
        }

        void run(EntryHandler handler) throws IOException {
            while (true) {
                int got = in.readNBytes(header, 0, BLOCK);
                if (got == 0) {
                    return; // no end-of-archive blocks; accept, as GNU tar does with a warning
                }
                if (got < BLOCK) {
                    throw new DataException(archive + " is truncated inside a tar header");
                }
                if (isZero(header)) {
                    return;
                }
                entry++;
                checkChecksum();
                char type = (char) header[156];
                long size = number(124, 12, "size");
                String name = longName != null ? longName : headerName();
                longName = null;
                if (!isSafe(name)) {
                    throw new DataException(archive + " contains an unsafe path '" + name + "'; refusing to extract it");
                }
                Entry content = new Entry(in, size);
                switch (type) {
                    case '0', '\0', '7' -> handler.accept(name, size, content);
                    case 'x' -> longName = paxPath(content.readAllBytes());
                    case 'L' -> longName = cString(content.readAllBytes());
                    default -> { } // directories, links, devices, global pax headers: skipped
                }
                content.skipRest();
                long pad = (BLOCK - size % BLOCK) % BLOCK;
                in.skipNBytes(pad);
            }
        }

        private String headerName() {
            String name = cString(header, 0, 100);
            String magic = new String(header, 257, 5, StandardCharsets.US_ASCII);
            if (magic.equals("ustar")) {
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            return name;
        }

        private void checkChecksum() {
            long stored = number(148, 8, "checksum");
            long unsigned = 0;
            long signed = 0;
            for (int i = 0; i < BLOCK; i++) {
                int b = (i >= 148 && i < 156) ? ' ' : header[i];
                unsigned += b & 0xFF;
                signed += (byte) b;
            }
            if (stored != unsigned && stored != signed) {
                throw new DataException(archive + " is not a valid tar archive: bad header checksum at entry " + entry);
            }
        }

        /** An octal number field (NUL/space padded) or, with the high bit set, a base-256 one. */
        private long number(int off, int len, String what) {
            if ((header[off] & 0x80) != 0) {
                long v = header[off] & 0x7F;
                for (int i = 1; i < len; i++) {
                    v = (v << 8) | (header[off + i] & 0xFF);
                }
                return v;
            }
            long v = 0;
            int i = off;
            int end = off + len;
            while (i < end && header[i] == ' ') {
                i++;
            }
            for (; i < end && header[i] != 0 && header[i] != ' '; i++) {
                int d = header[i] - '0';
                if (d < 0 || d > 7) {
                    throw new DataException(archive + " is not a valid tar archive: bad " + what + " field at entry "
                            + entry);
                }
                v = v * 8 + d;
            }
            return v;
        }

        private String paxPath(byte[] records) {
            String path = null;
            int i = 0;
            while (i < records.length) {
                int space = i;
                while (space < records.length && records[space] != ' ') {
                    space++;
                }
                int len;
                try {
                    len = Integer.parseInt(new String(records, i, space - i, StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    len = -1;
                }
                if (len <= 0 || i + len > records.length) {
                    throw new DataException(archive + " is not a valid tar archive: bad pax header at entry " + entry);
                }
                String record = new String(records, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
                if (record.startsWith("path=")) {
                    path = record.substring(5);
                }
                i += len;
            }
            return path;
        }

        private static boolean isZero(byte[] block) {
            for (byte b : block) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private static String cString(byte[] b) {
            return cString(b, 0, b.length);
        }

        private static String cString(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }
    }

    /** The content of one entry: a window of {@code size} bytes on the archive stream. */
    private static final class Entry extends InputStream {
        private final InputStream in;
        private long remaining;

        Entry(InputStream in, long size) {
            this.in = in;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException();
            }
            remaining -= n;
            return n;
        }

        void skipRest() throws IOException {
            in.skipNBytes(remaining);
            remaining = 0;
        }

        @Override
        public void close() {
            // the archive stream stays open
        }
    }
}
