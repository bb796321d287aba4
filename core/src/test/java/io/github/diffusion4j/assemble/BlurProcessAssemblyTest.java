package io.github.diffusion4j.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.diffusion4j.config.ConfigException;
import io.github.diffusion4j.config.ConfigLoader;
import io.github.diffusion4j.config.ProcessConfig;
import io.github.diffusion4j.process.AdditiveProcess;
import io.github.diffusion4j.process.BlockDctBlurProcess;
import io.github.diffusion4j.process.BlurSchedule;
import io.github.diffusion4j.schedule.LogNormalSigma;
import io.github.diffusion4j.schedule.TruncatedLogNormalSigma;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code diffusion.process: {type: blur}} (Relay, Teng et al. 2024, Sec. 3.3) gives the block-DCT blur
 * process with the paper's defaults and, as training noise, σ(u) of a uniform u whose inverse is the
 * process's u(σ); every other config keeps EDM's additive process and log-normal p(σ).
 */
class BlurProcessAssemblyTest {
    private static DiffusionAssembly of(String... sets) {
        return DiffusionAssembly.of(ConfigLoader.load("mnist-unet", List.of(sets)).onlyStage());
    }

    @Test
    void blurDefaultsAreThePapers() {
        DiffusionAssembly d = of("data.resolution=16", "diffusion.process=blur");
        TruncatedLogNormalSigma levels = TruncatedLogNormalSigma.withFloor(-1.2, 1.2, 0.93, 0.0075);
        assertThat(d.process()).isEqualTo(new BlockDctBlurProcess(new BlurSchedule(levels, 3.0, 0.001, 4), 0.15));
        assertThat(d.noise()).isEqualTo(levels);
        assertThat(ProcessConfig.Blur.DEFAULT).isEqualTo(new ProcessConfig.Blur(4, 3.0, 0.001, 0.15, 0.93, 0.0075));
    }

    @Test
    void blurKeysAndTheStagesPMeanPStdReachTheProcessAndTheNoise() {
        DiffusionAssembly d = of("data.resolution=16", "diffusion.process=blur", "diffusion.process.patch=2",
                "diffusion.process.blurSigmaMax=2", "diffusion.process.probLength=0.89", "diffusion.process.blockNoise=0",
                "diffusion.pMean=-1.0", "diffusion.pStd=1.4");
        BlockDctBlurProcess p = (BlockDctBlurProcess) d.process();
        assertThat(p.blockNoise()).isEqualTo(0.0);
        assertThat(p.schedule().patch()).isEqualTo(2);
        assertThat(p.schedule().blurSigmaMax()).isEqualTo(2.0);
        assertThat(p.schedule().levels()).isEqualTo(d.noise());
        TruncatedLogNormalSigma levels = (TruncatedLogNormalSigma) d.noise();
        assertThat(levels.pMean()).isEqualTo(-1.0);
        assertThat(levels.pStd()).isEqualTo(1.4);
        assertThat(levels.probLength()).isEqualTo(0.89);
        for (double u = 0; u < 1; u += 0.1) { // the process recovers the u the noise drew
            assertThat(p.schedule().levels().u(d.noise().sample(0.3, u))).isCloseTo(Math.max(u, levels.uMin()),
                    org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void otherConfigsKeepTheAdditiveProcess() {
        DiffusionAssembly d = of();
        assertThat(d.process()).isEqualTo(new AdditiveProcess());
        assertThat(d.noise()).isEqualTo(new LogNormalSigma(-1.2, 1.2));
    }

    @Test
    void aPatchThatDoesNotDivideTheResolutionOrAnotherNoiseIsRefused() {
        assertThatThrownBy(() -> of("data.resolution=28", "diffusion.process=blur", "diffusion.process.patch=8"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.process.patch");
        assertThatThrownBy(() -> of("data.resolution=16", "diffusion.process=blur", "diffusion.noise=ddpm"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.noise");
        assertThatThrownBy(() -> of("data.resolution=16", "diffusion.process=blur", "diffusion.parametrisation=eps"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.parametrisation");
        assertThat(of("data.resolution=16", "diffusion.process=blur", "diffusion.parametrisation=x0").process())
                .isInstanceOf(BlockDctBlurProcess.class);
        assertThatThrownBy(() -> of("data.resolution=16", "diffusion.process=blur", "diffusion.process.sigmaFloor=2"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.process.sigmaFloor");
        assertThatThrownBy(() -> of("data.resolution=16", "diffusion.process=blur", "diffusion.process.probLength=1.5"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("diffusion.process.probLength");
    }
}
