package io.github.diffusion4j.data;

import static io.github.diffusion4j.data.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarReaderTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<String> readAll(Path archive) {
        List<String> seen = new ArrayList<>();
        TarReader.read(archive, (name, size, content) -> {
            String text = new String(content.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(text.length()).isEqualTo(size);
            seen.add(name + "=" + text);
        });
        return seen;
    }

    @Test
    void readsRegularFilesAndSkipsDirectories() {
        byte[] big = new byte[1500];
        Arrays.fill(big, (byte) 'z');
        Path tgz = write(dir.resolve("a.tgz"), new TestFiles.Tar()
                .dir("package/")
                .file("package/hello.txt", utf8("hello"))
                .file("package/big.bin", big)
                .file("package/empty", new byte[0])
                .tgz());
        assertThat(readAll(tgz)).containsExactly("package/hello.txt=hello", "package/big.bin=" + "z".repeat(1500),
                "package/empty=");
    }

    @Test
    void handlerMayLeaveContentUnread() {
        Path tgz = write(dir.resolve("a.tgz"), new TestFiles.Tar()
                .file("a", utf8("x".repeat(700)))
                .file("b", utf8("second"))
                .tgz());
        List<String> names = new ArrayList<>();
        TarReader.read(tgz, (name, size, content) -> names.add(name + ":" + (name.equals("b")
                ? new String(content.readAllBytes(), StandardCharsets.UTF_8) : "skipped")));
        assertThat(names).containsExactly("a:skipped", "b:second");
    }

    @Test
    void paxAndGnuLongNamesApplyToTheNextEntry() {
        String longName = "package/" + "d".repeat(120) + "/file.txt";
        String pax = " path=" + longName + "\n";
        int len = pax.length() + 3; // three digits for the length itself
        Path tgz = write(dir.resolve("a.tgz"), new TestFiles.Tar()
                .entry("PaxHeader/x", 'x', utf8(len + pax))
                .file("short-name-1", utf8("one"))
                .entry("././@LongLink", 'L', utf8("package/other-" + "e".repeat(110) + "\0"))
                .file("short-name-2", utf8("two"))
                .tgz());
        assertThat(readAll(tgz)).containsExactly(longName + "=one", "package/other-" + "e".repeat(110) + "=two");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "package/../../evil", "/etc/evil", "a/..\\evil"})
    void unsafePathsAreRejected(String evil) {
        Path tgz = write(dir.resolve("evil.tgz"), new TestFiles.Tar()
                .file("package/fine.txt", utf8("fine"))
                .file(evil, utf8("pwned"))
                .tgz());
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> TarReader.read(tgz, (name, size, content) -> seen.add(name)))
                .isInstanceOf(DataException.class)
                .hasMessage(tgz + " contains an unsafe path '" + evil + "'; refusing to extract it");
        assertThat(seen).containsExactly("package/fine.txt");
    }

    @Test
    void damagedArchivesAreNamed() {
        byte[] tar = new TestFiles.Tar().file("package/a.txt", utf8("x".repeat(2000))).bytes();
        Path cut = write(dir.resolve("cut.tgz"), TestFiles.gzip(Arrays.copyOf(tar, 1024)));
        assertThatThrownBy(() -> readAll(cut)).isInstanceOf(DataException.class).hasMessage(cut + " is truncated");

        byte[] bad = tar.clone();
        bad[0] = 'Q'; // checksum no longer matches
        Path badSum = write(dir.resolve("sum.tgz"), TestFiles.gzip(bad));
        assertThatThrownBy(() -> readAll(badSum)).isInstanceOf(DataException.class)
                .hasMessage(badSum + " is not a valid tar archive: bad header checksum at entry 1");

        Path notGzip = write(dir.resolve("plain.tgz"), tar);
        assertThatThrownBy(() -> readAll(notGzip)).isInstanceOf(DataException.class)
                .hasMessageStartingWith(notGzip + " is not a valid gzip file");
    }
}
