package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.NoiseSource;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, Alg. 2) in EDM units, with λ = −ln σ and h = λ' − λ:
 * x' = (σ'/σ) x − (e^{−h} − 1) D̃, where D̃ = (1 + 1/(2r)) D_i − (1/(2r)) D_{i−1}, r = h_{i−1}/h_i,
 * and D̃ = D_i on the first step and on the final step to σ = 0.
 */
public record DpmSolverPlusPlus2M() implements Sampler {
    /** x and the previous step's x̂₀ ({@code null} before the first step). */
    private record History(Tensor x, Tensor previous) implements SamplerLoop.State {
        @Override
        public List<Tensor> tensors() {
            return Arrays.asList(x, previous);
        }
    }

    @Override
    public Tensor sample(Denoiser d, Tensor xStart, double[] sigmas, Conditioning cond, NoiseSource noise,
            StepListener listener) {
        int n = sigmas.length - 1;
        return SamplerLoop.run(new History(xStart, null), n, (step, state) -> {
            double sigma = sigmas[step];
            double sigmaNext = sigmas[step + 1];
            Tensor x64 = state.x().to(ScalarType.Double);
            Tensor denoised = d.denoise(x64, sigma, cond);
            Tensor xNext;
            if (sigmaNext == 0) {
                xNext = denoised.clone();
            } else {
                double h = Math.log(sigma) - Math.log(sigmaNext);
                Tensor target = denoised;
                if (state.previous() != null) {
                    double hLast = Math.log(sigmas[step - 1]) - Math.log(sigma);
                    double r = hLast / h;
                    target = denoised.mul(Sampling.s(1 + 1 / (2 * r))).sub(state.previous().mul(Sampling.s(1 / (2 * r))));
                }
                xNext = x64.mul(Sampling.s(sigmaNext / sigma)).sub(target.mul(Sampling.s(Math.expm1(-h))));
            }
            listener.onStep(step, n, sigma, sigmaNext, xNext, denoised);
            return new History(xNext, denoised);
        });
    }

    @Override
    public int evaluations(int steps) {
        return steps;
    }
}
