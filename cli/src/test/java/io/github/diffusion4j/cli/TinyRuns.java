package io.github.diffusion4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Fixtures for end-to-end CLI tests: a tiny two-class image folder and a config that trains on it in seconds. */
final class TinyRuns {
    private TinyRuns() {}

    /** 2 classes × 6 grayscale 8×8 PNGs: class "a" bright on the left, "b" bright on the right. */
    static Path imageFolder(Path dir) throws Exception {
        Path root = dir.resolve("images");
        for (String cls : new String[] {"a", "b"}) {
            Files.createDirectories(root.resolve(cls));
            for (int k = 0; k < 6; k++) {
                BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        boolean on = cls.equals("a") ? x < 4 : x >= 4;
                        img.getRaster().setSample(x, y, 0, on ? 200 + 5 * k : 20 + 3 * y);
                    }
                }
                ImageIO.write(img, "png", root.resolve(cls).resolve("img" + k + ".png").toFile());
            }
        }
        return root;
    }

    /** {@code --set} overrides for a tiny U-Net on {@code data}. */
    static List<String> sets(Path data, long steps) {
        List<String> a = new ArrayList<>();
        for (String s : new String[] {"data.dataset=" + data, "data.resolution=8", "data.channels=1", "model.classes=2",
                "model.baseChannels=8", "model.channelMult=[1, 2]", "model.numResBlocks=1", "model.attentionResolutions=[4]",
                "training.batch=4", "training.steps=" + steps, "training.minutes=0", "training.checkpointEvery=2",
                "training.logEvery=1", "sampling.gridSeeds=4", "sampling.steps=3"}) {
            a.add("--set");
            a.add(s);
        }
        return a;
    }

    /** Arguments for {@code d4j train} on the tiny folder. */
    static String[] trainArgs(Path data, Path out, long steps) {
        List<String> a = new ArrayList<>(List.of("train", "--config", "mnist-unet", "--out", out.toString()));
        a.addAll(sets(data, steps));
        return a.toArray(String[]::new);
    }
}
