package io.github.diffusion4j.train;

import io.github.diffusion4j.config.DiscretisationConfig;
import io.github.diffusion4j.config.ExperimentConfig.SamplingConfig;
import io.github.diffusion4j.denoise.Denoiser;
import io.github.diffusion4j.io.ImageGrid;
import io.github.diffusion4j.sample.Churn;
import io.github.diffusion4j.sample.ClassifierFreeGuidance;
import io.github.diffusion4j.sample.Generator;
import io.github.diffusion4j.sample.Samplers;
import io.github.diffusion4j.sample.StepListener;
import io.github.diffusion4j.schedule.DiscreteSigmas;
import io.github.diffusion4j.schedule.DiscreteVpSchedule;
import io.github.diffusion4j.schedule.Discretization;
import io.github.diffusion4j.schedule.IddpmSigmas;
import io.github.diffusion4j.schedule.KarrasSigmas;
import io.github.diffusion4j.schedule.LinearVpSchedule;
import io.github.diffusion4j.schedule.LogUniformSigmas;
import io.github.diffusion4j.schedule.VpSigmas;
import java.nio.file.Path;
import java.util.stream.LongStream;

/** A square grid of samples, seeds 0..n−1; for a class-conditional model, row r shows class r mod classes. */
public final class SampleGrid {
    private SampleGrid() {}

    /** Columns of the grid for {@code n} samples. */
    public static int columns(int n) {
        return (int) Math.ceil(Math.sqrt(n));
    }

    /** The class label of {@code seed} in a grid of {@code columns} columns. */
    public static long rowLabel(long seed, int columns, int classes) {
        return (seed / columns) % classes;
    }

    /**
     * The sampler, σ grid and guidance a {@link SamplingConfig} names, around {@code denoiser};
     * {@code samplerName} may name another sampler, which then takes the config's S_churn if it uses churn.
     */
    public static Generator generator(Denoiser denoiser, SamplingConfig s, double guidance, long[] sampleShape,
            String samplerName, int steps) {
        Denoiser d = guidance == 1.0 ? denoiser : new ClassifierFreeGuidance(denoiser, guidance);
        double sChurn = s.sampler().churn();
        Churn churn = sChurn > 0 ? new Churn(sChurn, 0, Double.POSITIVE_INFINITY, 1) : Churn.NONE;
        double[] sigmas = discretization(s).sigmas(steps);
        return new Generator(d, Samplers.byName(samplerName, churn), sigmas, sampleShape);
    }

    /** The σ grid {@code sampling.discretisation} names, over [sigmaMin, sigmaMax] where the grid takes a range. */
    static Discretization discretization(SamplingConfig s) {
        DiscretisationConfig c = s.discretisation();
        if (c instanceof DiscretisationConfig.Karras k) {
            return new KarrasSigmas(s.sigmaMin(), s.sigmaMax(), k.rho());
        } else if (c instanceof DiscretisationConfig.LogUniform) {
            return new LogUniformSigmas(s.sigmaMin(), s.sigmaMax());
        } else if (c instanceof DiscretisationConfig.Vp v) {
            return new VpSigmas(new LinearVpSchedule(v.betaD(), v.betaMin()), v.epsilonS());
        } else if (c instanceof DiscretisationConfig.Iddpm i) {
            return new IddpmSigmas(i.m(), i.c1(), i.c2(), s.sigmaMin(), s.sigmaMax());
        } else if (c instanceof DiscretisationConfig.Discrete x) {
            return new DiscreteSigmas(DiscreteVpSchedule.ddpm(),
                    x.spacing().equals("trailing") ? DiscreteSigmas.Spacing.TRAILING : DiscreteSigmas.Spacing.LEADING);
        }
        throw new IllegalStateException("no σ grid for '" + c.type() + "'");
    }

    /** Samples seeds 0..n−1, {@code batch} at a time, and writes them as one PNG grid. */
    public static void write(Denoiser denoiser, SamplingConfig s, double guidance, int classes, long[] sampleShape, int n,
            int batch, Path file) {
        Generator g = generator(denoiser, s, guidance, sampleShape, s.sampler().type(), s.steps());
        int cols = columns(n);
        double[][] images = new double[n][];
        g.generate(LongStream.range(0, n).toArray(), Math.min(n, batch),
                classes > 0 ? seed -> rowLabel(seed, cols, classes) : null, StepListener.NONE,
                (seed, values) -> images[(int) seed] = values);
        ImageGrid.writePng(ImageGrid.grid(images, (int) sampleShape[0], (int) sampleShape[1], (int) sampleShape[2], cols), file);
    }
}
