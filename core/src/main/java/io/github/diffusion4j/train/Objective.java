package io.github.diffusion4j.train;

import io.github.diffusion4j.cascade.StageCoupling;
import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.CounterRng;
import io.github.diffusion4j.engine.SeededNoise;
import io.github.diffusion4j.param.Loss;
import io.github.diffusion4j.param.LossWeighting;
import io.github.diffusion4j.param.Parametrisation.TrainingExample;
import io.github.diffusion4j.param.Scalings;
import io.github.diffusion4j.process.ForwardProcess;
import io.github.diffusion4j.schedule.TrainingNoise;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The training objective of one batch, EDM's {@code EDMLoss} as a callable (Karras et al. 2022,
 * Eq. 2 and 8): σ ~ p(σ), x = A_σ(x₀) + σñ through the forward process, the stage coupling's
 * conditioning, the preconditioned backbone's heads, and the parametrisation's weighted loss.
 * Every random draw is keyed by (seed, example row), so a batch's loss depends only on its rows.
 */
public final class Objective {
    static final long SIGMA_STREAM = 0x516A;
    static final long NOISE_STREAM = 0x4E01;

    private final TrainingNoise noise;
    private final ForwardProcess process;
    private final StageCoupling coupling;
    private final PreconditionedDenoiser denoiser;
    private final LossWeighting weighting;

    public Objective(TrainingNoise noise, ForwardProcess process, StageCoupling coupling, PreconditionedDenoiser denoiser,
            LossWeighting weighting) {
        this.noise = noise;
        this.process = process;
        this.coupling = coupling;
        this.denoiser = denoiser;
        this.weighting = weighting;
    }

    /**
     * The loss of clean images {@code x0} [B, C, H, W] (float32) with conditioning {@code cond},
     * rows {@code first}..{@code first + B − 1} of the run keyed by {@code seed}. The loss is computed in
     * float32; a bf16 run gives the denoiser an {@link io.github.diffusion4j.denoise.AutocastBackbone}.
     */
    public Loss loss(Tensor x0, Conditioning cond, long seed, long first) {
        int b = (int) x0.size(0);
        double[] sigma = new double[b];
        long sigmaKey = CounterRng.streamKey(seed, SIGMA_STREAM);
        for (int i = 0; i < b; i++) {
            sigma[i] = noise.sample(CounterRng.gaussian(sigmaKey, first + i), CounterRng.uniform(sigmaKey, first + i));
        }
        long[] noiseSeeds = new long[b];
        for (int i = 0; i < b; i++) {
            noiseSeeds[i] = CounterRng.streamKey(seed, NOISE_STREAM) + first + i;
        }
        ForwardProcess.Noised noised = process.apply(x0, sigma, new SeededNoise(noiseSeeds));
        Conditioning c = coupling.condition(x0, cond, seed, first);
        Scalings[] sc = denoiser.scalings(sigma);
        List<Tensor> heads = denoiser.heads(noised.x(), sigma, sc, c, Exit.ALL).stream().map(h -> h.to(ScalarType.Float)).toList();
        TrainingExample ex = new TrainingExample(x0, noised.noise(), sigma, noised.x(), denoiser.preconditioning().sigmaData());
        return denoiser.parametrisation().loss(heads, ex, sc, weighting);
    }

    public PreconditionedDenoiser denoiser() {
        return denoiser;
    }
}
