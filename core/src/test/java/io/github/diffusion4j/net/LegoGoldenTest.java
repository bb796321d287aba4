package io.github.diffusion4j.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.denoise.Conditioning;
import io.github.diffusion4j.denoise.Exit;
import io.github.diffusion4j.denoise.PreconditionedDenoiser;
import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import io.github.diffusion4j.nn.SinCosPositionEmbedding;
import io.github.diffusion4j.param.EdmPreconditioning;
import io.github.diffusion4j.param.MultiHeadSupervision;
import io.github.diffusion4j.param.PreconditionedF;
import io.github.diffusion4j.param.Scalings;
import io.github.diffusion4j.testing.Golden;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Lego} against the official LEGO code (JegZheng/LEGODiffusion cfbb6c66, {@code training/lego_models.py}
 * LEGO / LEGO_module, {@code training/networks.py} EDMPrecondLEGO), on the official weights of two tiny
 * stacks (arrays from shared/golden/lego.npz items {@code b1_*} and {@code pg_*}, copied to test resources
 * golden/lego.npz): one brick (size 8, patch 2, width 32, 2 heads, depth 1) on a 16×16 canvas, and a 2-brick
 * PG stack (8/2 then 16/4), batch 2, with every brick's output and the early exit after brick 0.
 */
class LegoGoldenTest {
    static Golden g;

    @BeforeAll
    static void load() {
        Engine.init();
        g = Golden.load("lego.npz");
    }

    static Lego stack(String prefix, List<Lego.Brick> bricks) {
        Lego net = new Lego(new Lego.Shape(16, 3, 3, bricks, 4.0, 0.0, 4), 0);
        net.loadParameters(officialWeights(prefix));
        return net;
    }

    /**
     * The official state dict under our names: {@code model.model.k.*} → {@code bricks.k.*} (the
     * modulations without their {@code nn.Sequential} index {@code .1}), {@code model.t_embedder.*} as is,
     * and the one-hot {@code Linear} label embedder (W [D, K], b [D]) as a table with rows W[:, c] + b and
     * the null row b (the embedding of the zero vector, which the official guidance path feeds).
     */
    static Map<String, Tensor> officialWeights(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : g.arrays().keySet()) {
            if (!name.startsWith(prefix + ".") || name.endsWith("pos_embed") || name.contains("y_embedder")) {
                continue;
            }
            String ours = name.substring(prefix.length() + ".model.".length()).replace(".adaLN_modulation.1.", ".adaLN_modulation.");
            ours = ours.startsWith("model.") ? "bricks." + ours.substring("model.".length()) : ours;
            out.put(ours, g.tensor(name).to(ScalarType.Float));
        }
        Tensor w = g.tensor(prefix + ".model.y_embedder.embedding_table.weight"); // [D, K]
        Tensor b = g.tensor(prefix + ".model.y_embedder.embedding_table.bias");
        Tensor rows = Tensors.cat(0, w.t().add(b.unsqueeze(0)), b.unsqueeze(0));
        out.put("y_embedder.embedding_table.weight", rows.to(ScalarType.Float));
        return out;
    }

    /** Class labels from the official one-hot rows. */
    static Conditioning labels(String name) {
        Tensor onehot = g.tensor(name);
        return Conditioning.classes(Tensors.toLongs(onehot.argmax(new org.bytedeco.pytorch.LongOptional(1), false)));
    }

    static List<Tensor> heads(Lego net, String prefix, Exit exit) {
        var d = new PreconditionedDenoiser(net, EdmPreconditioning.edm(), new PreconditionedF());
        double[] sigma = g.array(prefix + "_sigma").data();
        Scalings[] s = d.scalings(sigma);
        return d.heads(g.tensor(prefix + "_x"), sigma, s, labels(prefix + "_labels"), exit);
    }

    static PreconditionedDenoiser denoiser(Lego net) {
        return new PreconditionedDenoiser(net, EdmPreconditioning.edm(),
                new MultiHeadSupervision(new PreconditionedF(), Collections.nCopies(net.brickCount(), 1), List.of(),
                        MultiHeadSupervision.Pooling.SUM));
    }

    @Test
    void oneBrickForwardAndDenoisedImageMatchTheOfficialCode() {
        try (PointerScope scope = new PointerScope(); Lego net = stack("b1", List.of(new Lego.Brick(8, 2, 1, 32, 2)))) {
            List<Tensor> h = heads(net, "b1", Exit.ALL);
            assertThat(h).hasSize(1);
            g.assertClose(h.get(0), "b1_F", 1e-5);
            Tensor d = denoiser(net).denoise(g.tensor("b1_x"), g.tensor("b1_sigma"), labels("b1_labels"));
            g.assertClose(d, "b1_D", 1e-5);
        }
    }

    @Test
    void twoBrickProgressiveGrowthStackMatchesTheOfficialCodeBrickByBrickAndAtTheEarlyExit() {
        List<Lego.Brick> pg = List.of(new Lego.Brick(8, 2, 1, 32, 2), new Lego.Brick(16, 4, 1, 32, 2));
        try (PointerScope scope = new PointerScope(); Lego net = stack("pg", pg)) {
            List<Tensor> h = heads(net, "pg", Exit.ALL);
            assertThat(h).hasSize(2);
            g.assertClose(h.get(0), "pg_F_stage0", 1e-5);
            g.assertClose(h.get(1), "pg_brick1_out", 1e-5);
            g.assertClose(h.get(1), "pg_F", 1e-5);
            // Brick 1's input holds F_0 stitched (channels 0-2) and the canvas coordinates (6, 7).
            Tensor in1 = g.tensor("pg_brick1_in");
            g.assertClose(h.get(0), "pg_F_stage0", 1e-5);
            assertThat(Tensors.toFloats(Lego.coordinates(2, 16, 16)))
                    .containsExactly(Tensors.toFloats(in1.narrow(1, 6, 2).to(ScalarType.Float).contiguous()));
            assertThat(in1.narrow(1, 0, 3).sub(g.tensor("pg_F_stage0")).abs().max().item_double()).isZero();

            List<Tensor> early = heads(net, "pg", Exit.after(0));
            assertThat(early).as("the exit after brick 0 evaluates brick 0 only").hasSize(1);
            assertThat(early.get(0).equal(h.get(0))).isTrue();

            PreconditionedDenoiser d = denoiser(net);
            g.assertClose(d.denoise(g.tensor("pg_x"), g.tensor("pg_sigma"), labels("pg_labels")), "pg_D", 1e-5);
            g.assertClose(d.denoise(g.tensor("pg_x"), g.tensor("pg_sigma"), labels("pg_labels"), Exit.after(0)), "pg_D_stage0", 1e-5);
        }
    }

    @Test
    void fixedPositionEmbeddingsEqualTheOfficialTables() {
        assertTable("b1.model.model.0.pos_embed", 32, 4);
        assertTable("pg.model.model.0.pos_embed", 32, 4);
        assertTable("pg.model.model.1.pos_embed", 32, 4);
    }

    static void assertTable(String name, int dim, int grid) {
        float[] ours = SinCosPositionEmbedding.table(dim, grid, grid);
        double[] theirs = g.array(name).data();
        assertThat(ours).hasSize(theirs.length);
        for (int i = 0; i < ours.length; i++) {
            assertThat((double) ours[i]).as("%s[%d]", name, i).isEqualTo(theirs[i]);
        }
    }
}
