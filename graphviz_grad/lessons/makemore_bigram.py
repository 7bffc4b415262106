"""makemore 1: a bigram language model of names, from counts and as a one-layer neural net.

Karpathy's "The spelled-out intro to language modeling: building makemore"
(github.com/karpathy/makemore, lecture notebook 1), with only the import
changed and the built-in names instead of ``names.txt``. ``steps`` is the
number of gradient-descent steps of the neural net (the notebook's 100).

Run it: ``python -m graphviz_grad.lessons.makemore_bigram``.
"""
import graphviz_grad as torch
import graphviz_grad.nn.functional as F
from graphviz_grad.datasets import names

STEPS = 100
REPORT_LINES = 5  # the last lines printed: names sampled from the trained net


def main(steps=STEPS, seed=2147483647, on_step=None):
    words = names()

    N = torch.zeros((27, 27), dtype=torch.int32)
    chars = sorted(list(set(''.join(words))))
    stoi = {s:i+1 for i,s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i:s for s,i in stoi.items()}

    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            N[ix1, ix2] += 1

    P = (N+1).float()
    P /= P.sum(1, keepdims=True)

    g = torch.Generator().manual_seed(seed)
    for i in range(5):
        out = []
        ix = 0
        while True:
            p = P[ix]
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        print(''.join(out))

    log_likelihood = 0.0
    n = 0
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            prob = P[ix1, ix2]
            logprob = torch.log(prob)
            log_likelihood += logprob
            n += 1
    print(f'{log_likelihood=}')
    nll = -log_likelihood
    print(f'{nll=}')
    print(f'{nll/n}')

    # create the dataset
    xs, ys = [], []
    for w in words:
        chs = ['.'] + list(w) + ['.']
        for ch1, ch2 in zip(chs, chs[1:]):
            ix1 = stoi[ch1]
            ix2 = stoi[ch2]
            xs.append(ix1)
            ys.append(ix2)
    xs = torch.tensor(xs)
    ys = torch.tensor(ys)
    num = xs.nelement()
    print('number of examples: ', num)

    # initialize the 'network'
    g = torch.Generator().manual_seed(seed)
    W = torch.randn((27, 27), generator=g, requires_grad=True)

    # gradient descent
    lossi = []
    for k in range(steps):

        # forward pass
        xenc = F.one_hot(xs, num_classes=27).float() # input to the network: one-hot encoding
        logits = xenc @ W # predict log-counts
        counts = logits.exp() # counts, equivalent to N
        probs = counts / counts.sum(1, keepdims=True) # probabilities for next character
        loss = -probs[torch.arange(num), ys].log().mean() + 0.01*(W**2).mean()
        print(loss.item())
        lossi.append(loss.item())
        if on_step is not None:
            on_step(k, loss.item())

        # backward pass
        W.grad = None # set to zero the gradient
        loss.backward()

        # update
        W.data += -50 * W.grad

    # finally, sample from the 'neural net' model
    g = torch.Generator().manual_seed(seed)
    for i in range(5):
        out = []
        ix = 0
        while True:
            xenc = F.one_hot(torch.tensor([ix]), num_classes=27).float()
            logits = xenc @ W # predict log-counts
            counts = logits.exp() # counts, equivalent to N
            p = counts / counts.sum(1, keepdims=True) # probabilities for next character
            ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
            out.append(itos[ix])
            if ix == 0:
                break
        print(''.join(out))

    return locals()


if __name__ == "__main__":
    main()
