"""Programs learners copy from PyTorch's tutorials after the basics, run for a few steps on random
data under ``import graphviz_grad as torch`` and under PyTorch with the same seed: their losses (and a
few other numbers they print) must agree. Each program is written once, for either library, as the
tutorial has it (small sizes, CPU):

- DCGAN (ConvTranspose2d, BatchNorm2d, LeakyReLU, BCELoss, Adam betas, weights_init by classname),
- "NLP from scratch": classifying names with a character-level RNN (today's nn.RNN version and the
  older hand-made cell), and translation with a GRU seq2seq and attention (today's batch_first
  Bahdanau version and the older one-token-at-a-time version),
- language modelling with nn.TransformerEncoder (PositionalEncoding buffer, causal mask, StepLR),
- a convolutional autoencoder on MNIST-shaped data through TensorDataset/DataLoader.
"""
import importlib
import math
import random
import string

import numpy as np
import pytest


def _libraries(modname):
    """The tutorial's imports for one library: torch, torch.nn, torch.nn.functional, torch.optim."""
    torch = importlib.import_module(modname)
    nn = importlib.import_module(modname + '.nn')
    F = importlib.import_module(modname + '.nn.functional')
    optim = importlib.import_module(modname + '.optim')
    return torch, nn, F, optim


def dcgan(modname):
    """DCGAN tutorial: one generator and discriminator step per batch (small sizes, 16x16 images)."""
    torch, nn, F, optim = _libraries(modname)
    torch.manual_seed(0)
    nz, ngf, ndf, nc = 8, 4, 4, 3
    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find('Conv') != -1:
            nn.init.normal_(m.weight.data, 0.0, 0.02)
        elif classname.find('BatchNorm') != -1:
            nn.init.normal_(m.weight.data, 1.0, 0.02)
            nn.init.constant_(m.bias.data, 0)
    class Generator(nn.Module):
        def __init__(self):
            super(Generator, self).__init__()
            self.main = nn.Sequential(
                nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),
                nn.BatchNorm2d(ngf * 2),
                nn.ReLU(True),
                nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ngf),
                nn.ReLU(True),
                nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
                nn.Tanh())
        def forward(self, input):
            return self.main(input)
    class Discriminator(nn.Module):
        def __init__(self):
            super(Discriminator, self).__init__()
            self.main = nn.Sequential(
                nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ndf * 2),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
                nn.Sigmoid())
        def forward(self, input):
            return self.main(input)
    device = torch.device("cpu")
    netG = Generator().to(device)
    netG.apply(weights_init)
    netD = Discriminator().to(device)
    netD.apply(weights_init)
    criterion = nn.BCELoss()
    fixed_noise = torch.randn(4, nz, 1, 1, device=device)
    real_label = 1.
    fake_label = 0.
    optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
    losses = []
    for i in range(3):
        real_cpu = torch.rand(4, nc, 16, 16) * 2 - 1
        netD.zero_grad()
        b_size = real_cpu.size(0)
        label = torch.full((b_size,), real_label, dtype=torch.float, device=device)
        output = netD(real_cpu).view(-1)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()
        noise = torch.randn(b_size, nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach()).view(-1)
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()
        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake).view(-1)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()
        losses += [errD.item(), errG.item(), D_x, D_G_z1, D_G_z2]
    with torch.no_grad():
        fake = netG(fixed_noise).detach().cpu()
    losses.append(float(fake.sum()))
    return losses


def char_rnn(modname):
    """"Classifying names with a character-level RNN", today's nn.RNN version."""
    torch, nn, F, optim = _libraries(modname)
    torch.manual_seed(0)
    all_letters = string.ascii_letters + " .,;'"
    n_letters = len(all_letters)
    def letterToIndex(letter):
        return all_letters.find(letter)
    def lineToTensor(line):
        tensor = torch.zeros(len(line), 1, n_letters)
        for li, letter in enumerate(line):
            tensor[li][0][letterToIndex(letter)] = 1
        return tensor
    class CharRNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super(CharRNN, self).__init__()
            self.rnn = nn.RNN(input_size, hidden_size)
            self.h2o = nn.Linear(hidden_size, output_size)
            self.softmax = nn.LogSoftmax(dim=1)
        def forward(self, line_tensor):
            rnn_out, hidden = self.rnn(line_tensor)
            output = self.h2o(hidden[0])
            output = self.softmax(output)
            return output
    all_categories = ['English', 'French', 'Scottish']
    rnn = CharRNN(n_letters, 16, len(all_categories))
    def label_from_output(output, output_labels):
        top_n, top_i = output.topk(1)
        label_i = top_i[0].item()
        return output_labels[label_i], label_i
    criterion = nn.NLLLoss()
    optimizer = torch.optim.SGD(rnn.parameters(), lr=0.2)
    names = ['Smith', 'Dubois', "O'Neal"]
    losses = []
    rnn.train()
    for step in range(3):
        rnn.zero_grad()
        batch_loss = 0
        for i, name in enumerate(names):
            text_tensor = lineToTensor(name)
            label_tensor = torch.tensor([i], dtype=torch.long)
            output = rnn(text_tensor)
            loss = criterion(output, label_tensor)
            batch_loss += loss
        batch_loss.backward()
        nn.utils.clip_grad_norm_(rnn.parameters(), 3)
        optimizer.step()
        optimizer.zero_grad()
        losses.append(batch_loss.item() / len(names))
    lab, li = label_from_output(rnn(lineToTensor('Smith')), all_categories)
    losses.append(li)
    return losses


def seq2seq(modname):
    """"Translation with a sequence to sequence network and attention", today's batch_first version."""
    torch, nn, F, optim = _libraries(modname)
    random.seed(0)
    torch.manual_seed(0)
    device = torch.device("cpu")
    SOS_token = 0
    MAX_LENGTH = 6
    class EncoderRNN(nn.Module):
        def __init__(self, input_size, hidden_size, dropout_p=0.1):
            super(EncoderRNN, self).__init__()
            self.hidden_size = hidden_size
            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
            self.dropout = nn.Dropout(dropout_p)
        def forward(self, input):
            embedded = self.dropout(self.embedding(input))
            output, hidden = self.gru(embedded)
            return output, hidden
    class BahdanauAttention(nn.Module):
        def __init__(self, hidden_size):
            super(BahdanauAttention, self).__init__()
            self.Wa = nn.Linear(hidden_size, hidden_size)
            self.Ua = nn.Linear(hidden_size, hidden_size)
            self.Va = nn.Linear(hidden_size, 1)
        def forward(self, query, keys):
            scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
            scores = scores.squeeze(2).unsqueeze(1)
            weights = F.softmax(scores, dim=-1)
            context = torch.bmm(weights, keys)
            return context, weights
    class AttnDecoderRNN(nn.Module):
        def __init__(self, hidden_size, output_size, dropout_p=0.1):
            super(AttnDecoderRNN, self).__init__()
            self.embedding = nn.Embedding(output_size, hidden_size)
            self.attention = BahdanauAttention(hidden_size)
            self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
            self.out = nn.Linear(hidden_size, output_size)
            self.dropout = nn.Dropout(dropout_p)
        def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
            batch_size = encoder_outputs.size(0)
            decoder_input = torch.empty(batch_size, 1, dtype=torch.long, device=device).fill_(SOS_token)
            decoder_hidden = encoder_hidden
            decoder_outputs = []
            attentions = []
            for i in range(MAX_LENGTH):
                decoder_output, decoder_hidden, attn_weights = self.forward_step(
                    decoder_input, decoder_hidden, encoder_outputs)
                decoder_outputs.append(decoder_output)
                attentions.append(attn_weights)
                if target_tensor is not None:
                    decoder_input = target_tensor[:, i].unsqueeze(1)
                else:
                    _, topi = decoder_output.topk(1)
                    decoder_input = topi.squeeze(-1).detach()
            decoder_outputs = torch.cat(decoder_outputs, dim=1)
            decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
            attentions = torch.cat(attentions, dim=1)
            return decoder_outputs, decoder_hidden, attentions
        def forward_step(self, input, hidden, encoder_outputs):
            embedded = self.dropout(self.embedding(input))
            query = hidden.permute(1, 0, 2)
            context, attn_weights = self.attention(query, encoder_outputs)
            input_gru = torch.cat((embedded, context), dim=2)
            output, hidden = self.gru(input_gru, hidden)
            output = self.out(output)
            return output, hidden, attn_weights
    hidden_size, n_in, n_out = 8, 10, 11
    encoder = EncoderRNN(n_in, hidden_size).to(device)
    decoder = AttnDecoderRNN(hidden_size, n_out).to(device)
    encoder_optimizer = optim.Adam(encoder.parameters(), lr=0.001)
    decoder_optimizer = optim.Adam(decoder.parameters(), lr=0.001)
    criterion = nn.NLLLoss()
    input_tensor = torch.randint(1, n_in, (4, MAX_LENGTH))
    target_tensor = torch.randint(1, n_out, (4, MAX_LENGTH))
    losses = []
    for epoch in range(3):
        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()
        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)
        loss = criterion(
            decoder_outputs.view(-1, decoder_outputs.size(-1)),
            target_tensor.view(-1))
        loss.backward()
        encoder_optimizer.step()
        decoder_optimizer.step()
        losses.append(loss.item())
    encoder.eval(); decoder.eval()
    with torch.no_grad():
        eo, eh = encoder(input_tensor[:1])
        do, dh, att = decoder(eo, eh)
        _, topi = do.topk(1)
        decoded_ids = topi.squeeze()
    losses += [float(x) for x in decoded_ids.tolist()]
    losses.append(float(att.sum()))
    return losses


def transformer_lm(modname):
    """"Language modeling with nn.TransformerEncoder": three bptt batches, then evaluate."""
    torch, nn, F, optim = _libraries(modname)
    Tensor = torch.Tensor
    torch.manual_seed(0)
    class PositionalEncoding(nn.Module):
        def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            position = torch.arange(max_len).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, 1, d_model)
            pe[:, 0, 0::2] = torch.sin(position * div_term)
            pe[:, 0, 1::2] = torch.cos(position * div_term)
            self.register_buffer('pe', pe)
        def forward(self, x: Tensor) -> Tensor:
            x = x + self.pe[:x.size(0)]
            return self.dropout(x)
    class TransformerModel(nn.Module):
        def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, dropout=0.5):
            super().__init__()
            self.model_type = 'Transformer'
            self.pos_encoder = PositionalEncoding(d_model, dropout)
            encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
            self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers)
            self.embedding = nn.Embedding(ntoken, d_model)
            self.d_model = d_model
            self.linear = nn.Linear(d_model, ntoken)
            self.init_weights()
        def init_weights(self) -> None:
            initrange = 0.1
            self.embedding.weight.data.uniform_(-initrange, initrange)
            self.linear.bias.data.zero_()
            self.linear.weight.data.uniform_(-initrange, initrange)
        def forward(self, src, src_mask=None):
            src = self.embedding(src) * math.sqrt(self.d_model)
            src = self.pos_encoder(src)
            if src_mask is None:
                src_mask = nn.Transformer.generate_square_subsequent_mask(len(src))
            output = self.transformer_encoder(src, src_mask)
            output = self.linear(output)
            return output
    def generate_square_subsequent_mask(sz):
        return torch.triu(torch.ones(sz, sz) * float('-inf'), diagonal=1)
    ntokens, emsize, d_hid, nlayers, nhead, dropout = 20, 8, 16, 2, 2, 0.2
    model = TransformerModel(ntokens, emsize, nhead, d_hid, nlayers, dropout)
    nn.init.uniform_(model.linear.weight, -0.1, 0.1)
    criterion = nn.CrossEntropyLoss()
    lr = 5.0
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)
    bptt = 5
    train_data = torch.randint(0, ntokens, (30, 3))
    def get_batch(source, i):
        seq_len = min(bptt, len(source) - 1 - i)
        data = source[i:i+seq_len]
        target = source[i+1:i+1+seq_len].reshape(-1)
        return data, target
    losses = []
    model.train()
    for batch, i in enumerate(range(0, 3 * bptt, bptt)):
        data, targets = get_batch(train_data, i)
        output = model(data, generate_square_subsequent_mask(bptt))
        output_flat = output.view(-1, ntokens)
        loss = criterion(output_flat, targets)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        losses.append(loss.item())
        scheduler.step()
        losses.append(scheduler.get_last_lr()[0])
    model.eval()
    with torch.no_grad():
        data, targets = get_batch(train_data, 0)
        out = model(data)
        losses.append(len(data) * criterion(out.view(-1, ntokens), targets).item())
    return losses


def autoencoder(modname):
    """A convolutional autoencoder on MNIST-shaped random images through TensorDataset/DataLoader."""
    torch, nn, F, optim = _libraries(modname)
    data_mod = importlib.import_module(modname + '.utils.data')
    TensorDataset, DataLoader = data_mod.TensorDataset, data_mod.DataLoader
    torch.manual_seed(0)
    class Autoencoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(
                nn.Conv2d(1, 4, 3, stride=1, padding=1), nn.ReLU(),
                nn.MaxPool2d(2, 2),
                nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
                nn.MaxPool2d(2))
            self.decoder = nn.Sequential(
                nn.ConvTranspose2d(8, 4, 2, stride=2), nn.ReLU(),
                nn.Upsample(scale_factor=2, mode='nearest'),
                nn.Conv2d(4, 1, 3, padding=1), nn.Sigmoid())
        def forward(self, x):
            return self.decoder(self.encoder(x))
    model = Autoencoder()
    images = torch.rand(12, 1, 28, 28)
    labels = torch.randint(0, 10, (12,))
    ds = TensorDataset(images, labels)
    loader = DataLoader(ds, batch_size=4, shuffle=True)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
    losses = []
    for epoch in range(1):
        for img, _ in loader:
            recon = model(img)
            loss = criterion(recon, img)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def char_rnn_old(modname):
    """The older character-level RNN tutorial: a hand-made cell, updates with p.data.add_."""
    torch, nn, F, optim = _libraries(modname)
    torch.manual_seed(0)
    n_letters, n_hidden, n_categories = 57, 16, 3
    class RNN(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super(RNN, self).__init__()
            self.hidden_size = hidden_size
            self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
            self.h2h = nn.Linear(hidden_size, hidden_size)
            self.h2o = nn.Linear(hidden_size, output_size)
            self.softmax = nn.LogSoftmax(dim=1)
        def forward(self, input, hidden):
            hidden = F.tanh(self.i2h(torch.cat((input, hidden), 1)) + self.h2h(hidden))
            output = self.h2o(hidden)
            output = self.softmax(output)
            return output, hidden
        def initHidden(self):
            return torch.zeros(1, self.hidden_size)
    rnn = RNN(n_letters, n_hidden, n_categories)
    criterion = nn.NLLLoss()
    learning_rate = 0.005
    losses = [str(rnn)]
    for it in range(3):
        line_tensor = torch.zeros(5, 1, n_letters)
        for li in range(5):
            line_tensor[li][0][(li * 7 + it) % n_letters] = 1
        category_tensor = torch.tensor([it % 3], dtype=torch.long)
        hidden = rnn.initHidden()
        rnn.zero_grad()
        for i in range(line_tensor.size()[0]):
            output, hidden = rnn(line_tensor[i], hidden)
        loss = criterion(output, category_tensor)
        loss.backward()
        for p in rnn.parameters():
            p.data.add_(p.grad.data, alpha=-learning_rate)
        losses.append(loss.item())
    with torch.no_grad():
        topv, topi = output.topk(2, 1, True)
        for i in range(2):
            losses.append(topv[0][i].item()); losses.append(topi[0][i].item())
    return losses


def seq2seq_old(modname):
    """The older translation tutorial: one token at a time, encoder_outputs[ei] = ..., no teacher forcing once."""
    torch, nn, F, optim = _libraries(modname)
    torch.manual_seed(0); random.seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    MAX_LENGTH = 5; SOS_token = 0; EOS_token = 1
    class EncoderRNN(nn.Module):
        def __init__(self, input_size, hidden_size):
            super(EncoderRNN, self).__init__()
            self.hidden_size = hidden_size
            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size)
        def forward(self, input, hidden):
            embedded = self.embedding(input).view(1, 1, -1)
            output = embedded
            output, hidden = self.gru(output, hidden)
            return output, hidden
        def initHidden(self):
            return torch.zeros(1, 1, self.hidden_size, device=device)
    class AttnDecoderRNN(nn.Module):
        def __init__(self, hidden_size, output_size, dropout_p=0.1, max_length=MAX_LENGTH):
            super(AttnDecoderRNN, self).__init__()
            self.hidden_size = hidden_size; self.output_size = output_size
            self.dropout_p = dropout_p; self.max_length = max_length
            self.embedding = nn.Embedding(self.output_size, self.hidden_size)
            self.attn = nn.Linear(self.hidden_size * 2, self.max_length)
            self.attn_combine = nn.Linear(self.hidden_size * 2, self.hidden_size)
            self.dropout = nn.Dropout(self.dropout_p)
            self.gru = nn.GRU(self.hidden_size, self.hidden_size)
            self.out = nn.Linear(self.hidden_size, self.output_size)
        def forward(self, input, hidden, encoder_outputs):
            embedded = self.embedding(input).view(1, 1, -1)
            embedded = self.dropout(embedded)
            attn_weights = F.softmax(self.attn(torch.cat((embedded[0], hidden[0]), 1)), dim=1)
            attn_applied = torch.bmm(attn_weights.unsqueeze(0), encoder_outputs.unsqueeze(0))
            output = torch.cat((embedded[0], attn_applied[0]), 1)
            output = self.attn_combine(output).unsqueeze(0)
            output = F.relu(output)
            output, hidden = self.gru(output, hidden)
            output = F.log_softmax(self.out(output[0]), dim=1)
            return output, hidden, attn_weights
    H = 8
    encoder = EncoderRNN(10, H).to(device)
    decoder = AttnDecoderRNN(H, 12, dropout_p=0.1).to(device)
    encoder_optimizer = optim.SGD(encoder.parameters(), lr=0.01)
    decoder_optimizer = optim.SGD(decoder.parameters(), lr=0.01)
    criterion = nn.NLLLoss()
    losses = []
    for it in range(3):
        input_tensor = torch.tensor([[2], [3 + it], [4], [EOS_token]], dtype=torch.long, device=device)
        target_tensor = torch.tensor([[5], [6], [7 - it], [EOS_token]], dtype=torch.long, device=device).view(-1, 1)
        encoder_hidden = encoder.initHidden()
        encoder_optimizer.zero_grad(); decoder_optimizer.zero_grad()
        input_length = input_tensor.size(0); target_length = target_tensor.size(0)
        encoder_outputs = torch.zeros(MAX_LENGTH, encoder.hidden_size, device=device)
        loss = 0
        for ei in range(input_length):
            encoder_output, encoder_hidden = encoder(input_tensor[ei], encoder_hidden)
            encoder_outputs[ei] = encoder_output[0, 0]
        decoder_input = torch.tensor([[SOS_token]], device=device)
        decoder_hidden = encoder_hidden
        use_teacher_forcing = it != 1
        if use_teacher_forcing:
            for di in range(target_length):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                loss += criterion(decoder_output, target_tensor[di])
                decoder_input = target_tensor[di]
        else:
            for di in range(target_length):
                decoder_output, decoder_hidden, decoder_attention = decoder(
                    decoder_input, decoder_hidden, encoder_outputs)
                topv, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze().detach()
                loss += criterion(decoder_output, target_tensor[di])
                if decoder_input.item() == EOS_token:
                    break
        loss.backward()
        encoder_optimizer.step(); decoder_optimizer.step()
        losses.append(loss.item() / target_length)
    return losses


PROGRAMS = [dcgan, char_rnn, char_rnn_old, seq2seq, seq2seq_old, transformer_lm, autoencoder]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_tutorial_runs_as_pytorchs(program):
    theirs, ours = program("torch"), program("graphviz_grad")
    assert [x for x in ours if isinstance(x, str)] == [x for x in theirs if isinstance(x, str)]  # print(model)
    theirs, ours = (np.array([x for x in r if not isinstance(x, str)], dtype=np.float64) for r in (theirs, ours))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_tutorial_preambles():
    """The lines around the programs: DCGAN's determinism switch, the language-model tutorial's
    ``from torch.utils.data import dataset`` and its annotation ``dataset.IterableDataset``."""
    import torch

    import graphviz_grad as vg
    from graphviz_grad.utils.data import dataset
    from graphviz_grad.utils.data.dataloader import DataLoader
    from graphviz_grad.utils.data.sampler import RandomSampler

    def data_process(raw_text_iter: dataset.IterableDataset) -> vg.Tensor:
        return vg.cat(tuple(filter(lambda t: t.numel() > 0, raw_text_iter)))

    assert data_process([vg.tensor([1, 2]), vg.tensor([], dtype=vg.long), vg.tensor([3])]).tolist() == [1, 2, 3]
    assert DataLoader is vg.utils.data.DataLoader and RandomSampler is vg.utils.data.RandomSampler
    for lib in (torch, vg):
        assert lib.are_deterministic_algorithms_enabled() is False
        lib.use_deterministic_algorithms(True)
        assert lib.are_deterministic_algorithms_enabled() is True
        lib.use_deterministic_algorithms(True, warn_only=True)
        assert lib.is_deterministic_algorithms_warn_only_enabled() is True
        lib.use_deterministic_algorithms(False)
        assert (lib.are_deterministic_algorithms_enabled(), lib.is_deterministic_algorithms_warn_only_enabled()) == (
            False, False)
        with pytest.raises(TypeError, match="must be bool, not int"):
            lib.use_deterministic_algorithms(1)


def test_float_of_a_tensor_that_requires_grad_warns_once_as_pytorchs(monkeypatch):
    """Tutorials print ``float(loss)``: PyTorch warns once per process (TORCH_WARN_ONCE), ``item()`` never."""
    import sys
    import warnings

    import graphviz_grad as vg

    monkeypatch.setattr(sys.modules["graphviz_grad.tensor"], "_float_warned", [])
    x = vg.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert (x * 2).sum().item() == 4.0 and float(vg.tensor(1.5)) == 1.5 and int(x.sum()) == 2
        assert not caught
        assert float(x.sum()) == 2.0 and float((x * 3).sum()) == 6.0
    assert [str(w.message) for w in caught] == [
        "Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.\n"
        "Consider using tensor.detach() first."]
    assert caught[0].filename == __file__  # pointed at the user's line
