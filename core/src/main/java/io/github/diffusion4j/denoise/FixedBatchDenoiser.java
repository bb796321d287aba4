package io.github.diffusion4j.denoise;

import io.github.diffusion4j.engine.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * Evaluates a denoiser on chunks of exactly {@code size} rows, padding the last chunk by repeating
 * its last row, so the network always sees the same batch size. CPU convolution and matrix kernels
 * choose their algorithm by batch size (measured: a 3→32 conv on a 2-core AMD EPYC without
 * AVX-512 differs by up to 6e-6 between batch 1 and 16), so without this a seed's sample would
 * depend on the batch it was drawn in (EDM {@code generate.py} promises per-seed results).
 */
public record FixedBatchDenoiser(Denoiser inner, int size) implements Denoiser {
    public FixedBatchDenoiser {
        if (size < 1) {
            throw new IllegalArgumentException("evaluation batch must be >= 1, got " + size);
        }
    }

    @Override
    public Tensor denoise(Tensor x, Tensor sigma, Conditioning cond) {
        long b = x.size(0);
        if (b == size) {
            return inner.denoise(x, sigma, cond);
        }
        List<Tensor> parts = new ArrayList<>();
        for (long start = 0; start < b; start += size) {
            int n = (int) Math.min(size, b - start);
            long[] rows = new long[size];
            for (int i = 0; i < size; i++) {
                rows[i] = start + Math.min(i, n - 1);
            }
            Tensor idx = Tensors.fromLongs(rows);
            Tensor out = inner.denoise(x.index_select(0, idx), sigma.index_select(0, idx), select(cond, rows, idx));
            parts.add(out.narrow(0, 0, n));
        }
        return parts.size() == 1 ? parts.get(0) : Tensors.cat(0, parts.toArray(new Tensor[0]));
    }

    private static Conditioning select(Conditioning cond, long[] rows, Tensor idx) {
        long[] labels = cond.classLabels();
        double[] aug = cond.augmentation();
        long[] l = labels == null ? null : new long[rows.length];
        double[] a = aug == null ? null : new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (l != null) {
                l[i] = labels[(int) rows[i]];
            }
            if (a != null) {
                a[i] = aug[(int) rows[i]];
            }
        }
        return new Conditioning(l, cond.image() == null ? null : cond.image().index_select(0, idx), a);
    }
}
