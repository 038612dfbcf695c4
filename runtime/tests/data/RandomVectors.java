// Writes java_random_vectors.txt: reference outputs of java.util.Random for the
// lemsc-runtime tests. Regenerate with: javac RandomVectors.java && java RandomVectors
import java.util.Random;

public class RandomVectors {
    static final int COUNT = 50;

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append("# java.util.Random outputs, written by RandomVectors.java on Java ")
           .append(System.getProperty("java.version")).append('\n');
        out.append("# Each line: seed, method, then ").append(COUNT)
           .append(" values from a fresh generator. Doubles as hex IEEE-754 bits.\n");
        out.append("# 'mixed' repeats nextGaussian, nextDouble, nextInt(7), so the cached\n");
        out.append("# second Gaussian is taken after other draws.\n");
        long[] seeds = {1234, 123, 0, -1, 42};
        for (long seed : seeds) {
            Random r = new Random(seed);
            out.append(seed).append(" nextDouble");
            for (int i = 0; i < COUNT; i++) hex(out, r.nextDouble());
            r = new Random(seed);
            out.append('\n').append(seed).append(" nextInt(10)");
            for (int i = 0; i < COUNT; i++) out.append(' ').append(r.nextInt(10));
            r = new Random(seed);
            out.append('\n').append(seed).append(" nextInt(1500000000)");
            for (int i = 0; i < COUNT; i++) out.append(' ').append(r.nextInt(1500000000));
            r = new Random(seed);
            out.append('\n').append(seed).append(" nextInt(64)");
            for (int i = 0; i < COUNT; i++) out.append(' ').append(r.nextInt(64));
            r = new Random(seed);
            out.append('\n').append(seed).append(" nextInt");
            for (int i = 0; i < COUNT; i++) out.append(' ').append(r.nextInt());
            r = new Random(seed);
            out.append('\n').append(seed).append(" nextGaussian");
            for (int i = 0; i < COUNT; i++) hex(out, r.nextGaussian());
            r = new Random(seed);
            out.append('\n').append(seed).append(" mixed");
            for (int i = 0; i < COUNT; i++) {
                switch (i % 3) {
                    case 0: hex(out, r.nextGaussian()); break;
                    case 1: hex(out, r.nextDouble()); break;
                    default: out.append(' ').append(r.nextInt(7));
                }
            }
            out.append('\n');
        }
        java.nio.file.Files.write(java.nio.file.Paths.get("java_random_vectors.txt"),
                                  out.toString().getBytes("US-ASCII"));
    }

    static void hex(StringBuilder out, double value) {
        out.append(" 0x").append(Long.toHexString(Double.doubleToRawLongBits(value)));
    }
}
