package io.github.diffusion4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.diffusion4j.engine.Engine;
import io.github.diffusion4j.engine.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** libtorch tensors survive a safetensors round trip bit for bit, in every dtype the checkpoints use. */
class TensorFilesTest {
    @BeforeAll
    static void init() {
        Engine.init();
    }

    @Test
    void roundTripEveryDtype(@TempDir Path dir) throws Exception {
        try (PointerScope scope = new PointerScope()) {
            double[] v = {1.5, -2.25, 3e-3, 1e4, -0.0, 7, 65504, 0.1};
            Tensor base = Tensors.fromDoubles(v, 2, 4);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (ScalarType t : new ScalarType[] {ScalarType.Double, ScalarType.Float, ScalarType.Half,
                    ScalarType.BFloat16, ScalarType.Long, ScalarType.Int, ScalarType.Byte}) {
                tensors.put("t_" + t, base.abs().to(t));
            }
            tensors.put("transposed", base.t());
            tensors.put("empty", torch.zeros(new long[] {0, 3}));
            Path file = dir.resolve("x.safetensors");
            TensorFiles.write(file, tensors, Map.of("config", "{\"a\":1}"));
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThat(f.metadata()).containsEntry("config", "{\"a\":1}");
                for (var e : tensors.entrySet()) {
                    Tensor back = TensorFiles.read(f, e.getKey());
                    assertThat(Tensors.scalarType(back)).as(e.getKey()).isEqualTo(Tensors.scalarType(e.getValue()));
                    assertThat(back.shape()).as(e.getKey()).isEqualTo(e.getValue().shape());
                    assertThat(torch.equal(back, e.getValue().contiguous())).as(e.getKey()).isTrue();
                }
                assertThat(f.entry("t_Float").dtype()).isEqualTo(DType.F32);
                assertThat(f.floats("transposed")).containsExactly(1.5f, -0.0f, -2.25f, 7f, 3e-3f, 65504f, 1e4f, 0.1f);
            }
        }
    }
}
