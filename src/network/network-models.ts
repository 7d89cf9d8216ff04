/**
 * @module network/network-models
 * How the network charges a transfer besides sharing links max-min fairly (network.ts): when the
 * latency is paid, what else bounds a flow, and SimGrid's flow-level models as named presets.
 *
 * - `once` (the default): a migration pays the one-way latency once, after the last byte of its
 *   final copy (and on its own round trips: the reuse exchange, post-copy's page requests); a flow
 *   is bounded by its links and its own rate cap only.
 * - `per-transfer`: every transfer a migration waits for (each round's, the final copy's) pays the
 *   latency after its last byte, and the destination's final acknowledgement pays it on its way
 *   back before the migration ends. The bandwidth a migration measures (bytes / time from the
 *   transfer's start to its arrival) includes it, as SimGrid's live-migration plugin measures it
 *   (plugins/vm/VmLiveMigration.cpp: bandwidth = size / (clock_post_send - clock_prev_send)).
 * - `cm02` and `lv08`: SimGrid 3.32's `network/model` CM02 and LV08 (src/surf/network_cm02.cpp),
 *   with per-transfer latency, since the plugin sends each stage as one message and waits for it:
 *   - a TCP window bound: a flow's rate is at most gamma / (2 x latency) (comm_action_set_variable,
 *     gamma = `network/TCP-gamma`, 4 MiB by default; the route's own latency, before the factor);
 *   - cross-traffic (`network/crosstraffic`, on by default for both): a flow also loads the links of
 *     the reverse route with 0.05 of its rate (comm_action_expand_constraints), its acknowledgements;
 *   - CM02 (surf_network_model_init_CM02): latency factor 1, bandwidth factor 1, weight-S 0;
 *   - LV08 (surf_network_model_init_LegrandVelho, Velho et al., "Flow-level network models: have we
 *     reached the limits?", INRIA RR-7821, 2011): latency factor 13.01 (a transfer pays 13.01 x
 *     the latency, which stands for TCP's slow start), bandwidth factor 0.97 (a flow gets 0.97 of
 *     the max-min rate it is given: the share of a link TCP's headers and acknowledgements leave),
 *     weight-S 20537: max-min is weighted by a sharing penalty, the route's latency plus weight-S /
 *     bandwidth for each of its links (NetworkCm02Model::communicate; a route without latency has
 *     penalty 1), so a flow over slower NICs gets a smaller share of a link it shares; where every
 *     flow's route has the same NICs the penalties are equal and the shares plain max-min.
 *
 * A bandwidth factor is a link capacity scaled by it (a rate r = factor x v, with the max-min
 * variable v: sum v <= C is sum r <= factor x C, and a cap R on v is factor x R on r; a user rate R
 * bounds v at R / factor, which is R on r): the network applies it to its links and to the window
 * bound, not to the migration's own rate cap.
 */

export const networkModelNames = ['once', 'per-transfer', 'cm02', 'lv08'] as const;
export type NetworkModelName = (typeof networkModelNames)[number];

export interface NetworkModel {
  model: NetworkModelName;
  /** Every transfer pays the latency (and the final acknowledgement), not only the last one. */
  perTransfer: boolean;
  /** TCP window gamma, bytes: a flow is capped at gamma / (2 x latency); Infinity = no bound. */
  tcpWindow: number;
  /** Share of the max-min rate a flow gets (SimGrid's bandwidth factor). */
  bandwidthFactor: number;
  /** Multiplier of the latency a transfer pays (SimGrid's latency factor). */
  latencyFactor: number;
  /** Weight of a flow on its reverse route's links (SimGrid's cross-traffic, 0.05); 0 = none. */
  crossTraffic: number;
  /** SimGrid's weight-S, bytes/s x s: a flow's sharing penalty is latency + sum of weightS / link bandwidth; 0 = none. */
  weightS: number;
}

/** SimGrid's `network/TCP-gamma` default (kernel/resource/NetworkModel.cpp): 4 MiB. */
export const SIMGRID_TCP_GAMMA = 4 * 2 ** 20;
/** SimGrid's cross-traffic weight (network_cm02.cpp comm_action_expand_constraints). */
export const SIMGRID_CROSS_TRAFFIC = 0.05;

export const networkModels: Record<NetworkModelName, NetworkModel> = {
  once: { model: 'once', perTransfer: false, tcpWindow: Infinity, bandwidthFactor: 1, latencyFactor: 1, crossTraffic: 0, weightS: 0 },
  'per-transfer': { model: 'per-transfer', perTransfer: true, tcpWindow: Infinity, bandwidthFactor: 1, latencyFactor: 1, crossTraffic: 0, weightS: 0 },
  cm02: { model: 'cm02', perTransfer: true, tcpWindow: SIMGRID_TCP_GAMMA, bandwidthFactor: 1, latencyFactor: 1, crossTraffic: SIMGRID_CROSS_TRAFFIC, weightS: 0 },
  lv08: { model: 'lv08', perTransfer: true, tcpWindow: SIMGRID_TCP_GAMMA, bandwidthFactor: 0.97, latencyFactor: 13.01, crossTraffic: SIMGRID_CROSS_TRAFFIC, weightS: 20537 },
};

/** What a scenario's `network:` section may say about the model (every field optional). */
export type NetworkModelInput = Partial<Omit<NetworkModel, 'perTransfer'>>;

/** The model a scenario asks for: its preset, with the fields it names overriding the preset's. */
export function resolveNetworkModel(input: NetworkModelInput = {}): NetworkModel {
  const base = networkModels[input.model ?? 'once'];
  const out = { ...base };
  if (input.tcpWindow !== undefined) out.tcpWindow = input.tcpWindow;
  if (input.bandwidthFactor !== undefined) out.bandwidthFactor = input.bandwidthFactor;
  if (input.latencyFactor !== undefined) out.latencyFactor = input.latencyFactor;
  if (input.crossTraffic !== undefined) out.crossTraffic = input.crossTraffic;
  if (input.weightS !== undefined) out.weightS = input.weightS;
  return out;
}

/**
 * The TCP window bound on a flow's rate, bytes/s: gamma / (2 x latency) (the round trip), scaled by
 * the bandwidth factor as the link capacities are; Infinity without a window or a latency.
 */
export function windowBound(model: NetworkModel, latency: number): number {
  if (!(latency > 0) || !Number.isFinite(model.tcpWindow)) return Infinity;
  return (model.bandwidthFactor * model.tcpWindow) / (2 * latency);
}

/** The fields of a scenario's `network:` section this module reads, with their meaning (docs, schema). */
export const networkModelFields = {
  model: 'how transfers pay latency and what else bounds a flow: once (default: once per migration, after its final copy), per-transfer (every transfer and the final acknowledgement), cm02 or lv08 (SimGrid 3.32 network models: per-transfer latency, TCP window bound, cross-traffic, and their factors)',
  tcpWindow: "TCP window gamma: a flow's rate is at most gamma / (2 x latency), or none; default none, cm02 and lv08: 4MiB (SimGrid's network/TCP-gamma)",
  bandwidthFactor: "share of the max-min rate a flow gets (SimGrid's bandwidth factor); default 1, lv08: 0.97",
  latencyFactor: "multiplier of the latency each transfer pays (SimGrid's latency factor); default 1, lv08: 13.01",
  crossTraffic: "weight of a flow on its reverse route's links (its acknowledgements); default 0, cm02 and lv08: 0.05 (SimGrid's network/crosstraffic)",
  weightS: "max-min weights: a flow's share of a link is inversely proportional to latency + the sum over its route of weightS / NIC bandwidth; default 0 (plain max-min), lv08: 20537 (SimGrid's network/weight-S)",
} as const;
