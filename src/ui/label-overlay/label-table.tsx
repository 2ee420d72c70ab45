import type { ListedLabel } from "./label-list.js";

/** The labels of a row as a table: where each is, its answers, who made it and how sure. */
export function LabelTable({ labels }: { labels: readonly ListedLabel[] }) {
  if (labels.length === 0) return <p class="muted">No labels yet.</p>;
  return (
    <table id="labels">
      <thead>
        <tr>
          <th>Label</th>
          <th>Where</th>
          <th>Answers</th>
          <th>By</th>
          <th class="num">Confidence</th>
        </tr>
      </thead>
      <tbody>
        {labels.map((label) => (
          <tr data-label={label.hash} class={label.onFrame ? "" : "muted"}>
            <td>
              {label.color === null ? null : (
                <svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true">
                  <rect width="10" height="10" fill={label.color} />
                </svg>
              )}{" "}
              {label.title} <span class="muted">{label.kind === "object" ? label.shape : "classification"}</span>
            </td>
            <td>{label.where}</td>
            <td>
              {label.answers.map((a) => (
                <div>
                  {a.question}: <strong>{a.answer}</strong>
                </div>
              ))}
            </td>
            <td>{label.createdBy ?? (label.manual === false ? "agent" : "—")}</td>
            <td class="num">{label.confidence === null ? "—" : label.confidence.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
