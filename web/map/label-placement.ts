/**
 * Greedy placement of screen-space labels beside their anchors. Pure: pixels in, pixel offsets out (no map, no
 * deck.gl), so it is tested on its own.
 */

/** A screen rectangle [x0, y0, x1, y1] in pixels. */
export type Box = [number, number, number, number];

export interface LabelSpec {
  anchor: { x: number; y: number };
  width: number;
  height: number;
}

function overlaps(b: Box, list: readonly Box[], gap: number): boolean {
  return list.some((o) => b[0] < o[2] + gap && b[2] + gap > o[0] && b[1] < o[3] + gap && b[3] + gap > o[1]);
}

/**
 * In the order given (the most important first), each label is tried right of its anchor, then left, then stepped
 * down and up by its own height. It takes the first place that overlaps neither a label placed before it nor an
 * obstacle (something on the map worth keeping in sight: a route under way); when every place covers an obstacle,
 * the first that overlaps no label. A label that fits nowhere is left off (null). Offsets are from the anchor to
 * the left-centre of the label's box.
 */
export function placeLabels(labels: readonly LabelSpec[], gap: number, obstacles: readonly Box[] = []): ([number, number] | null)[] {
  const placed: Box[] = [];
  return labels.map(({ anchor, width, height }) => {
    const tries: { offset: [number, number]; box: Box }[] = [];
    for (const step of [0, 1, -1, 2, -2, 3, -3]) {
      const dy = step * (height + gap);
      for (const dx of [gap, -gap - width]) {
        tries.push({ offset: [dx, dy], box: [anchor.x + dx, anchor.y + dy - height / 2, anchor.x + dx + width, anchor.y + dy + height / 2] });
      }
    }
    const free = tries.filter((c) => !overlaps(c.box, placed, gap));
    const best = free.find((c) => !overlaps(c.box, obstacles, 0)) ?? free[0];
    if (!best) return null;
    placed.push(best.box);
    return best.offset;
  });
}

/** Boxes around each segment of a screen polyline, padded: obstacles that follow a route rather than its extent. */
export function polylineBoxes(points: readonly { x: number; y: number }[], pad: number): Box[] {
  const out: Box[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    out.push([Math.min(a.x, b.x) - pad, Math.min(a.y, b.y) - pad, Math.max(a.x, b.x) + pad, Math.max(a.y, b.y) + pad]);
  }
  if (points.length === 1) out.push([points[0].x - pad, points[0].y - pad, points[0].x + pad, points[0].y + pad]);
  return out;
}

/**
 * The point of a box nearest to the anchor, when the box is far enough from it (more than `reach` pixels) that the
 * label needs a leader line to say whose it is; null when it sits close by.
 */
export function leaderEnd(anchor: { x: number; y: number }, box: Box, reach: number): { x: number; y: number } | null {
  const x = Math.max(box[0], Math.min(anchor.x, box[2]));
  const y = Math.max(box[1], Math.min(anchor.y, box[3]));
  return Math.hypot(x - anchor.x, y - anchor.y) > reach ? { x, y } : null;
}
