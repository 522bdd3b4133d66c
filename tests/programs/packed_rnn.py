"""Variable-length batches the usual way: a collate_fn with pad_sequence, then
pack_padded_sequence(enforce_sorted=False) into a 2-layer bidirectional LSTM classifier
(torch.cat((h_n[-2], h_n[-1]), dim=1) into a Linear, Adam), and a GRU encoder whose packed
outputs come back through pad_packed_sequence for masked mean pooling."""

from __future__ import annotations

from typing import Any

from tests.programs.namespace import as_list


def bilstm_classifier(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    rnn_utils = torch.nn.utils.rnn

    class Classifier(nn.Module):
        def __init__(self, vocab: int, emb: int, hidden: int, classes: int) -> None:
            super().__init__()
            self.embedding = nn.Embedding(vocab, emb, padding_idx=0)
            self.lstm = nn.LSTM(emb, hidden, num_layers=2, bidirectional=True,
                                batch_first=True)
            self.fc = nn.Linear(2 * hidden, classes)

        def forward(self, text: Any, lengths: Any) -> Any:
            embedded = self.embedding(text)
            packed = rnn_utils.pack_padded_sequence(embedded, lengths, batch_first=True,
                                                    enforce_sorted=False)
            packed_output, (hidden, cell) = self.lstm(packed)
            hidden = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
            return self.fc(hidden)

    def collate(batch: list) -> tuple:
        seqs, labels = zip(*batch)
        lengths = torch.tensor([len(s) for s in seqs])
        return (rnn_utils.pad_sequence(list(seqs), batch_first=True, padding_value=0),
                lengths, torch.stack(list(labels)))

    items = [(torch.tensor(lib.rng.integers(1, 9, int(n))), torch.tensor(int(c)))
             for n, c in zip(lib.rng.integers(1, 7, 12), lib.rng.integers(0, 3, 12))]
    loader = lib.data.DataLoader(items, batch_size=4, shuffle=False, collate_fn=collate)
    model = lib.load(Classifier(9, 4, 5, 3), scale=1.0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    crit = nn.CrossEntropyLoss()
    losses = []
    for _epoch in range(2):
        for text, lengths, labels in loader:
            opt.zero_grad()
            loss = crit(model(text, lengths), labels)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    with torch.no_grad():
        text, lengths, labels = collate(items)
        pred = model(text, lengths).argmax(1)
    return {"losses": losses, "pred": pred.tolist(), "emb_pad": as_list(model.embedding.weight[0]),
            "w": as_list(model.lstm.weight_hh_l1_reverse)}


def gru_pooling(lib: Any) -> dict:
    torch, nn = lib.torch, lib.nn
    from_rnn = torch.nn.utils.rnn
    gru = lib.load(nn.GRU(3, 4, bidirectional=True), scale=1.0)
    head = lib.load(nn.Linear(8, 1), scale=1.0)
    opt = torch.optim.SGD(list(gru.parameters()) + list(head.parameters()), lr=0.1)
    seqs = [lib.randn(int(n), 3) for n in (4, 2, 5, 1)]
    target = lib.randn(4, 1)
    losses = []
    for _ in range(3):
        packed = from_rnn.pack_sequence(seqs, enforce_sorted=False)
        out, h_n = gru(packed)
        padded, lengths = from_rnn.pad_packed_sequence(out, total_length=6)
        mask = (torch.arange(6).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(-1)
        pooled = (padded * mask).sum(0) / lengths.unsqueeze(1)
        loss = ((head(pooled) - target) ** 2).mean() + h_n.pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return {"losses": losses, "batch_sizes": out.batch_sizes.tolist(),
            "sorted": out.sorted_indices.tolist(), "padded": as_list(padded),
            "lengths": lengths.tolist(), "h_n": as_list(h_n)}


PROGRAMS = {"bilstm_classifier": bilstm_classifier, "gru_pooling": gru_pooling}
