package io.github.diffusion4j.sample;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.engine.NoiseSource;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * EDM's deterministic/stochastic sampler (Karras et al. 2022, Alg. 1–2): Euler steps on the
 * probability-flow ODE dx/dσ = (x − D(x; σ))/σ, with Heun's second-order correction on every step
 * but the last when {@code secondOrder}, and optional churn.
 */
public record EdmSampler(boolean secondOrder, Churn churn) implements Sampler {
    /** First-order Euler, deterministic. */
    public static EdmSampler euler() {
        return new EdmSampler(false, Churn.NONE);
    }

    /** Heun (Alg. 1), deterministic. */
    public static EdmSampler heun() {
        return new EdmSampler(true, Churn.NONE);
    }

    /** Heun with churn (Alg. 2). */
    public static EdmSampler heun(Churn churn) {
        return new EdmSampler(true, churn);
    }

    @Override
    public Tensor sample(Denoiser d, Tensor xStart, double[] sigmas, Conditioning cond, NoiseSource noise,
            StepListener listener) {
        int n = sigmas.length - 1;
        return SamplerLoop.iterate(xStart, n, (step, xCur) -> {
            double sigma = sigmas[step];
            double sigmaNext = sigmas[step + 1];
            double gamma = churn.gamma(sigma, n);
            double sigmaHat = sigma + gamma * sigma;
            Tensor xHat = xCur.to(ScalarType.Double);
            if (gamma > 0) {
                Tensor eps = noise.randn(Sampling.sampleShape(xCur));
                xHat = xHat.add(eps.mul(Sampling.s(Math.sqrt(sigmaHat * sigmaHat - sigma * sigma) * churn.sNoise())));
            }
            Tensor denoised = d.denoise(xHat, sigmaHat, cond);
            Tensor dCur = Sampling.toD(xHat, denoised, sigmaHat);
            Tensor xNext = xHat.add(dCur.mul(Sampling.s(sigmaNext - sigmaHat)));
            if (secondOrder && sigmaNext != 0) { // EDM's i < N − 1 on a grid ending in 0; also corrects a grid cut above 0 (CDM truncation)
                Tensor denoised2 = d.denoise(xNext, sigmaNext, cond);
                Tensor dPrime = Sampling.toD(xNext, denoised2, sigmaNext);
                xNext = xHat.add(dCur.add(dPrime).mul(Sampling.s(0.5 * (sigmaNext - sigmaHat))));
            }
            listener.onStep(step, n, sigma, sigmaNext, xNext, denoised);
            return xNext;
        });
    }

    @Override
    public int evaluations(int steps) {
        return secondOrder ? 2 * steps - 1 : steps;
    }

    /** Heun corrects every step whose next level is not 0, so a grid cut above 0 costs one evaluation more. */
    @Override
    public int evaluations(double[] sigmas) {
        int steps = sigmas.length - 1;
        return secondOrder && sigmas[steps] != 0 ? 2 * steps : evaluations(steps);
    }
}
