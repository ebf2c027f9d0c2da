/**
 * @infermesh/consumers: consumers of the mesh's Kafka topics that are not TypeScript (the Python
 * rated-usage consumer in ../python), and the TypeScript helpers that run them and compute the
 * same figures for comparison. The Python side is provisioned by tools/scripts/ensure-python-refs.sh.
 */
export { pythonRatedUsageTotals, PythonConsumerError, PYREF_PYTHON, RATED_USAGE_SCRIPT, type PythonRatedUsageOptions } from './python-rated-usage.js';
export { totalsOfRatedEnvelopes, zeroTotals, type RatedUsageTotals, type TenantUsageTotals } from './rated-usage-totals.js';
