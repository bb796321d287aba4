package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.NoiseSource;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, Alg. 2) in EDM units, with λ = −ln σ and h = λ' − λ:
 * x' = (σ'/σ) x − (e^{−h} − 1) D̃, where D̃ = (1 + 1/(2r)) D_i − (1/(2r)) D_{i−1}, r = h_{i−1}/h_i,
 * and D̃ = D_i on the first step and on the final step to σ = 0.
 */
public record DpmSolverPlusPlus2M() implements Sampler {
    @Override
    public Tensor sample(Denoiser d, Tensor xStart, double[] sigmas, Conditioning cond, NoiseSource noise,
            StepListener listener) {
        int n = sigmas.length - 1;
        Tensor x = xStart;
        Tensor previous = null;
        for (int i = 0; i < n; i++) {
            final Tensor xCur = x;
            final Tensor denoisedPrev = previous;
            final int step = i;
            Tensor[] kept = SamplerLoop.step(() -> {
                double sigma = sigmas[step];
                double sigmaNext = sigmas[step + 1];
                Tensor x64 = xCur.to(ScalarType.Double);
                Tensor denoised = d.denoise(x64, sigma, cond);
                Tensor xNext;
                if (sigmaNext == 0) {
                    xNext = denoised.clone();
                } else {
                    double h = Math.log(sigma) - Math.log(sigmaNext);
                    Tensor target = denoised;
                    if (denoisedPrev != null) {
                        double hLast = Math.log(sigmas[step - 1]) - Math.log(sigma);
                        double r = hLast / h;
                        target = denoised.mul(Sampling.s(1 + 1 / (2 * r))).sub(denoisedPrev.mul(Sampling.s(1 / (2 * r))));
                    }
                    xNext = x64.mul(Sampling.s(sigmaNext / sigma)).sub(target.mul(Sampling.s(Math.expm1(-h))));
                }
                listener.onStep(step, n, sigma, sigmaNext, xNext, denoised);
                return new Tensor[] {xNext, denoised};
            });
            SamplerLoop.release(x, xStart);
            if (previous != null) {
                previous.close();
            }
            x = kept[0];
            previous = kept[1];
        }
        if (previous != null) {
            previous.close();
        }
        return SamplerLoop.finish(x, xStart);
    }

    @Override
    public int evaluations(int steps) {
        return steps;
    }
}
