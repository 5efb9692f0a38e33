// Preloaded with `node --require` into a measured child: writes its peak RSS (KiB) to
// $IMAGESPEC_BENCH_RSS_FILE when it exits. Node has no API for a child's rusage, and /usr/bin/time
// is not on every machine.
'use strict';
const file = process.env.IMAGESPEC_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    require('fs').writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
