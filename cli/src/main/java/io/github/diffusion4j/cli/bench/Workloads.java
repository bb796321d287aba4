package io.github.diffusion4j.cli.bench;

import io.github.diffusion4j.engine.Scopes;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The micro-workloads the benchmarks time. */
final class Workloads {
    private Workloads() {}

    /** Seconds per call of a one-element tensor add: the fixed cost of one op through JavaCPP. */
    static double perOpSeconds(int calls) {
        try (PointerScope outer = new PointerScope()) {
            Tensor a = torch.ones(new long[] {1}, new TensorOptions(ScalarType.Float));
            Tensor b = torch.ones(new long[] {1}, new TensorOptions(ScalarType.Float));
            return Timing.median(2, 7, () -> {
                for (int i = 0; i < calls; i += 100) {
                    Scopes.run(() -> {
                        for (int j = 0; j < 100; j++) {
                            a.add(b);
                        }
                    });
                }
            }) / calls;
        }
    }

    /** GFLOP/s of an n×n by n×n matmul in {@code type} (2n³ FLOPs per call). */
    static double matmulGflops(int n, ScalarType type) {
        try (PointerScope outer = new PointerScope()) {
            TensorOptions opts = new TensorOptions(ScalarType.Float);
            Tensor a = torch.randn(new long[] {n, n}, opts).to(type);
            Tensor b = torch.randn(new long[] {n, n}, opts).to(type);
            int reps = Math.max(3, (int) Math.min(50, 4e9 / (2.0 * n * n * n)));
            double sec = Timing.median(1, reps, () -> Scopes.run(() -> a.matmul(b)));
            return 2.0 * n * n * n / sec / 1e9;
        }
    }

    /**
     * One training step of a small conv + GroupNorm + attention block (batch 32, 3×32×32):
     * forward, backward and AdamW; returns median seconds per step.
     */
    static double convBlockStepSeconds(int warmup, int reps) {
        try (PointerScope outer = new PointerScope()) {
            torch.manual_seed(0);
            TensorOptions opts = new TensorOptions(ScalarType.Float);
            Tensor x = torch.randn(new long[] {32, 3, 32, 32}, opts);
            Tensor w1 = param(torch.randn(new long[] {64, 3, 3, 3}, opts).mul(new Scalar(0.2)));
            Tensor w2 = param(torch.randn(new long[] {64, 64, 3, 3}, opts).mul(new Scalar(0.04)));
            Tensor gamma = param(torch.ones(new long[] {64}, opts));
            Tensor beta = param(torch.zeros(new long[] {64}, opts));
            Tensor qkv = param(torch.randn(new long[] {64, 192}, opts).mul(new Scalar(0.1)));
            Tensor proj = param(torch.randn(new long[] {64, 64}, opts).mul(new Scalar(0.1)));
            TensorVector params = new TensorVector(w1, w2, gamma, beta, qkv, proj);
            AdamW opt = new AdamW(params, new AdamWOptions(1e-4));
            long[] one = {1, 1};
            long[] pad = {1, 1};
            return Timing.median(warmup, reps, () -> Scopes.run(() -> {
                opt.zero_grad();
                Tensor h = torch.conv2d(x, w1, new TensorOptional(), one, pad, one, 1);
                h = torch.silu(torch.group_norm(h, 32, new TensorOptional(gamma), new TensorOptional(beta), 1e-5, true));
                h = torch.conv2d(h, w2, new TensorOptional(), one, pad, one, 1);
                h = torch.avg_pool2d(h, 2, 2);
                Tensor seq = h.flatten(2, 3).transpose(1, 2); // [B, 256, 64]
                Tensor q = seq.matmul(qkv);
                Tensor qq = q.narrow(2, 0, 64);
                Tensor kk = q.narrow(2, 64, 64);
                Tensor vv = q.narrow(2, 128, 64);
                Tensor att = torch.softmax(qq.matmul(kk.transpose(1, 2)).mul(new Scalar(0.125)), -1);
                Tensor out = att.matmul(vv).matmul(proj).add(seq);
                Tensor loss = out.square().mean();
                loss.backward();
                opt.step();
            }));
        }
    }

    private static Tensor param(Tensor t) {
        t.requires_grad_(true);
        return t;
    }
}
