"""makemore 3: batch normalization, first by hand (running statistics under ``no_grad``), then from ``nn``.

Karpathy's "Building makemore Part 3: Activations & Gradients, BatchNorm"
(github.com/karpathy/makemore, lecture notebook 3), with only the import
changed and the built-in names. Its second half builds the same network from
``nn.Embedding``, ``nn.Linear(bias=False)``, ``nn.BatchNorm1d`` and
``nn.Tanh`` and switches it between ``model.train()`` and ``model.eval()``. ``steps``
(the notebook's 200000, shortened) is the number of steps of both halves
together: the first half by hand, the second from ``nn``.

Run it: ``python -m graphviz_grad.lessons.makemore_batchnorm``.
"""
import random

import graphviz_grad as torch
import graphviz_grad.nn as nn
import graphviz_grad.nn.functional as F
from graphviz_grad.datasets import names

STEPS = 1000
REPORT_LINES = 12  # the last lines printed: the split losses and 10 names sampled in eval mode


def main(steps=STEPS, seed=2147483647, on_step=None):
    words = names()
    chars = sorted(list(set(''.join(words))))
    stoi = {s:i+1 for i,s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i:s for s,i in stoi.items()}
    vocab_size = len(itos)

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
    Xtr, Ytr = build_dataset(words[:n1])     # 80%
    Xdev, Ydev = build_dataset(words[n1:n2]) # 10%
    Xte, Yte = build_dataset(words[n2:])     # 10%

    # MLP revisited
    n_embd = 10 # the dimensionality of the character embedding vectors
    n_hidden = 200 # the number of neurons in the hidden layer of the MLP

    g = torch.Generator().manual_seed(seed) # for reproducibility
    C  = torch.randn((vocab_size, n_embd),            generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5/3)/((n_embd * block_size)**0.5)
    #b1 = torch.randn(n_hidden,                        generator=g) * 0.01
    W2 = torch.randn((n_hidden, vocab_size),          generator=g) * 0.01
    b2 = torch.randn(vocab_size,                      generator=g) * 0

    # BatchNorm parameters
    bngain = torch.ones((1, n_hidden))
    bnbias = torch.zeros((1, n_hidden))
    bnmean_running = torch.zeros((1, n_hidden))
    bnstd_running = torch.ones((1, n_hidden))

    parameters = [C, W1, W2, b2, bngain, bnbias]
    print(sum(p.nelement() for p in parameters)) # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    # same optimization as last time
    max_steps = steps // 2
    batch_size = 32
    lossi = []

    for i in range(max_steps):

        # minibatch construct
        ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix] # batch X,Y

        # forward pass
        emb = C[Xb] # embed the characters into vectors
        embcat = emb.view(emb.shape[0], -1) # concatenate the vectors
        # Linear layer
        hpreact = embcat @ W1 #+ b1 # hidden layer pre-activation
        # BatchNorm layer
        # -------------------------------------------------------------
        bnmeani = hpreact.mean(0, keepdim=True)
        bnstdi = hpreact.std(0, keepdim=True)
        hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
        with torch.no_grad():
            bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
            bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
        # -------------------------------------------------------------
        # Non-linearity
        h = torch.tanh(hpreact) # hidden layer
        logits = h @ W2 + b2 # output layer
        loss = F.cross_entropy(logits, Yb) # loss function
        if on_step is not None:
            on_step(i, loss.item())

        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()

        # update
        lr = 0.1 if i < 100000 else 0.01 # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad

        # track stats
        if i % 10000 == 0: # print every once in a while
            print(f'{i:7d}/{max_steps:7d}: {loss.item():.4f}')
        lossi.append(loss.log10().item())

    @torch.no_grad() # this decorator disables gradient tracking
    def split_loss(split):
        x,y = {
            'train': (Xtr, Ytr),
            'val': (Xdev, Ydev),
            'test': (Xte, Yte),
        }[split]
        emb = C[x] # (N, block_size, n_embd)
        embcat = emb.view(emb.shape[0], -1) # concat into (N, block_size * n_embd)
        hpreact = embcat @ W1 # + b1
        hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
        h = torch.tanh(hpreact) # (N, n_hidden)
        logits = h @ W2 + b2 # (N, vocab_size)
        loss = F.cross_entropy(logits, y)
        print(split, loss.item())

    split_loss('train')
    split_loss('val')

    # The same network, PyTorch-ified: layers from nn, model.train() and model.eval()
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Embedding(vocab_size, n_embd),
        nn.Flatten(),
        nn.Linear(n_embd * block_size, n_hidden, bias=False), nn.BatchNorm1d(n_hidden), nn.Tanh(),
        nn.Linear(n_hidden, vocab_size),
    )
    with torch.no_grad():
        model[-1].weight *= 0.1 # make last layer less confident
    parameters = list(model.parameters())
    print(sum(p.nelement() for p in parameters)) # number of parameters in total

    model.train()
    for i in range(steps - max_steps):
        ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix] # batch X,Y
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb) # loss function
        if on_step is not None:
            on_step(max_steps + i, loss.item())
        for p in parameters:
            p.grad = None
        loss.backward()
        lr = 0.1 if i < 100000 else 0.01 # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad
        lossi.append(loss.log10().item())

    model.eval()
    with torch.no_grad():
        print('train', F.cross_entropy(model(Xtr), Ytr).item())
        print('val', F.cross_entropy(model(Xdev), Ydev).item())

    # sample from the model
    g = torch.Generator().manual_seed(seed + 10)
    for _ in range(10):
        out = []
        context = [0] * block_size # initialize with all ...
        while True:
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            out.append(ix)
            if ix == 0:
                break
        print(''.join(itos[i] for i in out)) # decode and print the generated word

    return locals()


if __name__ == "__main__":
    main()
