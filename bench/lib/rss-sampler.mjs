// The resident set size of this process, sampled: at the points a child asks for and every 10 ms
// between start() and stop(), keeping the highest value seen.
export function rssSampler() {
  let peak = 0;
  let timer;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
    return rss;
  };
  return {
    /** RSS now (bytes), counted towards the peak. */
    sample,
    start: () => (timer = setInterval(sample, 10)),
    stop: () => clearInterval(timer),
    /** The highest RSS sampled (bytes). */
    get peak() {
      return peak;
    },
  };
}
