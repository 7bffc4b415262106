"""makemore 2: a multilayer perceptron on three letters of context, with an embedding table ``C[X]``.

Karpathy's "Building makemore Part 2: MLP" (github.com/karpathy/makemore,
lecture notebook 2), with only the import changed and the built-in names
instead of ``names.txt``. The minibatches draw from the seeded generator ``g``
(``torch.randint(..., generator=g)``, as the later notebooks do), so every run
gives the same numbers. ``steps`` is the notebook's 200000, shortened.

Run it: ``python -m graphviz_grad.lessons.makemore_mlp``.
"""
import random

import graphviz_grad as torch
import graphviz_grad.nn.functional as F
from graphviz_grad.datasets import names

STEPS = 1000
REPORT_LINES = 20  # the last lines printed: 20 names sampled from the trained model


def main(steps=STEPS, seed=2147483647, on_step=None):
    words = names()

    # build the vocabulary of characters and mappings to/from integers
    chars = sorted(list(set(''.join(words))))
    stoi = {s:i+1 for i,s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i:s for s,i in stoi.items()}

    # build the dataset
    block_size = 3 # context length: how many characters do we take to predict the next one?

    def build_dataset(words):
        X, Y = [], []
        for w in words:
            context = [0] * block_size
            for ch in w + '.':
                ix = stoi[ch]
                X.append(context)
                Y.append(ix)
                context = context[1:] + [ix] # crop and append

        X = torch.tensor(X)
        Y = torch.tensor(Y)
        print(X.shape, Y.shape)
        return X, Y

    random.seed(42)
    random.shuffle(words)
    n1 = int(0.8*len(words))
    n2 = int(0.9*len(words))

    Xtr, Ytr = build_dataset(words[:n1])
    Xdev, Ydev = build_dataset(words[n1:n2])
    Xte, Yte = build_dataset(words[n2:])

    g = torch.Generator().manual_seed(seed) # for reproducibility
    C = torch.randn((27, 10), generator=g)
    W1 = torch.randn((30, 200), generator=g)
    b1 = torch.randn(200, generator=g)
    W2 = torch.randn((200, 27), generator=g)
    b2 = torch.randn(27, generator=g)
    parameters = [C, W1, b1, W2, b2]

    print(sum(p.nelement() for p in parameters)) # number of parameters in total

    for p in parameters:
        p.requires_grad = True

    lri = []
    lossi = []
    stepi = []

    for i in range(steps):

        # minibatch construct
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)

        # forward pass
        emb = C[Xtr[ix]] # (32, 3, 10)
        h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 200)
        logits = h @ W2 + b2 # (32, 27)
        loss = F.cross_entropy(logits, Ytr[ix])
        if on_step is not None:
            on_step(i, loss.item())

        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()

        # update
        lr = 0.1 if i < 100000 else 0.01
        for p in parameters:
            p.data += -lr * p.grad

        # track stats
        stepi.append(i)
        lossi.append(loss.log10().item())

    print(loss.item())

    emb = C[Xtr] # (32, 3, 2)
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 100)
    logits = h @ W2 + b2 # (32, 27)
    train_loss = F.cross_entropy(logits, Ytr)
    print(train_loss)

    emb = C[Xdev] # (32, 3, 2)
    h = torch.tanh(emb.view(-1, 30) @ W1 + b1) # (32, 100)
    logits = h @ W2 + b2 # (32, 27)
    dev_loss = F.cross_entropy(logits, Ydev)
    print(dev_loss)

    # sample from the model
    g = torch.Generator().manual_seed(seed + 10)

    for _ in range(20):

        out = []
        context = [0] * block_size # initialize with all ...
        while True:
            emb = C[torch.tensor([context])] # (1,block_size,d)
            h = torch.tanh(emb.view(1, -1) @ W1 + b1)
            logits = h @ W2 + b2
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break

        print(''.join(itos[i] for i in out))

    return locals()


if __name__ == "__main__":
    main()
