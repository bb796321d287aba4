package io.github.diffusion4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EmojiTest {

    @Test
    void referencesParseInAnyOrder() {
        assertThat(Emoji.Selection.parse(null)).isEqualTo(Emoji.Selection.DEFAULT);
        assertThat(Emoji.Selection.parse("test").ref()).isEqualTo("emoji:apple+google+twitter+facebook:test:category");
        assertThat(Emoji.Selection.parse("google").ref()).isEqualTo("emoji:google:train:category");
        assertThat(Emoji.Selection.parse("vendor:facebook+apple:all").ref()).isEqualTo("emoji:apple+facebook:all:vendor");
        assertThatThrownBy(() -> Emoji.Selection.parse("test:train")).isInstanceOf(DataException.class)
                .hasMessage("bad emoji reference 'emoji:test:train': two splits; use emoji[:train|test|all]"
                        + "[:apple|google|twitter|facebook, joined by +][:category|vendor], e.g. emoji:google:test");
        assertThatThrownBy(() -> Emoji.Selection.parse("samsung")).isInstanceOf(DataException.class)
                .hasMessageContaining("unknown qualifier 'samsung'");
        assertThatThrownBy(() -> Emoji.Selection.parse("apple:google")).isInstanceOf(DataException.class)
                .hasMessageContaining("two vendor lists (join vendors with +)");
    }

    @Test
    void theSplitIsPinned() {
        // the rule of the class comment, computed independently (Python hashlib) for these codes
        assertThat(Emoji.inTest("1F44B")).isTrue();
        assertThat(Emoji.inTest("1F436")).isTrue();
        assertThat(Emoji.inTest("1F600")).isFalse();
        assertThat(Emoji.inTest("1F1E6-1F1E8")).isFalse();
        assertThat(Emoji.inTest("2764-FE0F")).isFalse();
        assertThat(Emoji.inTest("1F355")).isFalse();
    }

    /** On the fetched dataset (skipped without it): no emoji on both sides, 15,000 images, the documented split sizes. */
    @Test
    void noEmojiFallsOnBothSidesOfTheRealSplit() {
        Path dir = DataCache.datasetDir(DataCache.defaultDir(), "emoji");
        assumeTrue(Files.isRegularFile(dir.resolve(Emoji.INDEX)), "emoji is not in the cache");
        List<Emoji.Entry> index = Emoji.readIndex(dir);
        Map<String, Set<String>> sidesOfEmoji = new HashMap<>();
        int[] images = new int[2];
        for (String vendor : Emoji.VENDORS) {
            for (Emoji.Entry e : index) {
                if (Files.isRegularFile(dir.resolve(vendor).resolve(e.image()))) {
                    String side = Emoji.Selection.parse("test").wants(e.unified()) ? "test" : "train";
                    assertThat(Emoji.Selection.parse("train").wants(e.unified())).isEqualTo(side.equals("train"));
                    sidesOfEmoji.computeIfAbsent(e.unified(), k -> new HashSet<>()).add(side);
                    images[side.equals("test") ? 1 : 0]++;
                }
            }
        }
        assertThat(sidesOfEmoji.values()).allSatisfy(s -> assertThat(s).hasSize(1));
        assertThat(images[0] + images[1]).isEqualTo(15_000);
        assertThat(images).containsExactly(9_811, 5_189);
    }
}
