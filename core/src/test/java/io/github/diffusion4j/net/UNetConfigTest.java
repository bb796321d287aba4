package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.nn.Attention;
import io.github.diffusion4j.nn.GroupNorm;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UNetConfigTest {

    static UNetConfig with(int resolution, int base, int[] mult, int blocks, int[] attn, double dropout, int classes, NoiseEmbeddingType e) {
        return new UNetConfig(resolution, 1, 1, base, mult, blocks, attn, dropout, classes, e);
    }

    static Stream<Arguments> badConfigs() {
        NoiseEmbeddingType p = NoiseEmbeddingType.POSITIONAL;
        return Stream.of(
                Arguments.of(with(30, 16, new int[] {1, 2, 2}, 1, new int[0], 0, 0, p), "resolution: 30 is not divisible by 2^(levels-1) = 4"),
                Arguments.of(with(0, 16, new int[] {1}, 1, new int[0], 0, 0, p), "resolution: must be >= 1"),
                Arguments.of(new UNetConfig(8, 0, 1, 16, new int[] {1}, 1, new int[0], 0, 0, p), "inChannels"),
                Arguments.of(new UNetConfig(8, 1, 0, 16, new int[] {1}, 1, new int[0], 0, 0, p), "outChannels"),
                Arguments.of(with(8, 15, new int[] {1}, 1, new int[0], 0, 0, p), "baseChannels: must be even"),
                Arguments.of(with(8, 16, new int[0], 1, new int[0], 0, 0, p), "channelMult: need at least one level"),
                Arguments.of(with(8, 16, null, 1, new int[0], 0, 0, p), "channelMult"),
                Arguments.of(with(8, 16, new int[] {1, 0}, 1, new int[0], 0, 0, p), "channelMult: multipliers must be >= 1"),
                Arguments.of(with(8, 16, new int[] {1}, 0, new int[0], 0, 0, p), "numResBlocks"),
                Arguments.of(with(28, 16, new int[] {1, 2, 2}, 1, new int[] {8}, 0, 0, p), "attentionResolutions: 8 is not one of the level resolutions [28, 14, 7]"),
                Arguments.of(with(8, 16, new int[] {1}, 1, new int[0], 1.0, 0, p), "dropout"),
                Arguments.of(with(8, 16, new int[] {1}, 1, new int[0], Double.NaN, 0, p), "dropout"),
                Arguments.of(with(8, 16, new int[] {1}, 1, new int[0], 0, -1, p), "numClasses"),
                Arguments.of(with(8, 16, new int[] {1}, 1, new int[0], 0, 0, null), "embedding"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badConfigs")
    void validateNamesTheBadField(UNetConfig config, String message) {
        assertThatThrownBy(config::validate).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThatThrownBy(() -> new UNet(config, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void levelsAndWidthsFollowTheMultipliers() {
        UNetConfig c = UNetConfig.mnist(10).validate();
        assertThat(c.levelResolutions()).containsExactly(28, 14, 7);
        assertThat(c.channelsAt(2)).isEqualTo(128);
        assertThat(c.embeddingWidth()).isEqualTo(256);
        assertThat(c.attentionAt(7)).isTrue();
        assertThat(c.attentionAt(14)).isFalse();
        assertThat(c.conditional()).isTrue();
    }

    @Test
    void isAValueWithDefensiveCopies() {
        int[] mult = {1, 2, 2};
        UNetConfig a = new UNetConfig(28, 1, 1, 64, mult, 2, new int[] {7}, 0.1, 10, NoiseEmbeddingType.POSITIONAL);
        mult[0] = 5;
        assertThat(a).isEqualTo(UNetConfig.mnist(10)).hasSameHashCodeAs(UNetConfig.mnist(10));
        a.channelMult()[0] = 9;
        assertThat(a.channelMult()).containsExactly(1, 2, 2);
        assertThat(a.toString()).contains("channelMult=[1, 2, 2]", "embedding=positional");
        assertThat(a).isNotEqualTo(UNetConfig.mnist(0));
    }

    @Test
    void embeddingNamesParse() {
        assertThat(NoiseEmbeddingType.parse("positional")).isEqualTo(NoiseEmbeddingType.POSITIONAL);
        assertThat(NoiseEmbeddingType.parse(" Fourier ")).isEqualTo(NoiseEmbeddingType.FOURIER);
        assertThatThrownBy(() -> NoiseEmbeddingType.parse("sinusoid")).hasMessageContaining("embedding: unknown noise embedding 'sinusoid'");
    }

    @Test
    void groupAndHeadCountsDivideTheChannels() {
        assertThat(GroupNorm.groupsFor(64)).isEqualTo(16);
        assertThat(GroupNorm.groupsFor(128)).isEqualTo(32);
        assertThat(GroupNorm.groupsFor(192)).isEqualTo(32);
        assertThat(GroupNorm.groupsFor(96)).isEqualTo(24);
        assertThat(GroupNorm.groupsFor(8)).isEqualTo(2);
        assertThat(GroupNorm.groupsFor(3)).isEqualTo(1);
        assertThat(GroupNorm.groupsFor(200)).isEqualTo(25);
        assertThat(Attention.headsFor(64)).isEqualTo(1);
        assertThat(Attention.headsFor(128)).isEqualTo(2);
        assertThat(Attention.headsFor(192)).isEqualTo(3);
        assertThat(Attention.headsFor(96)).isEqualTo(1);
        assertThat(Attention.headsFor(16)).isEqualTo(1);
        for (int c = 1; c <= 600; c++) {
            assertThat(c % GroupNorm.groupsFor(c)).as("groups for %d", c).isZero();
            assertThat(c % Attention.headsFor(c)).as("heads for %d", c).isZero();
            assertThat(GroupNorm.groupsFor(c)).isBetween(1, 32);
        }
    }
}
