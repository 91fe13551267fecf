// The browser loads uPlot's ES module from /console/assets/vendor/ (served from node_modules by the plugin); its types
// are the npm package's. This file only tells tsc what that URL exports.
import uPlot from 'uplot';
export default uPlot;
