#!/usr/bin/env python3
"""Writes the Stable-Baselines3 import fixtures in tests/data/rl/ (run from anywhere):

  sb3_ppo_d6_k5.zip          laid out like SB3's PPO.save(): data, pytorch_variables.pth,
                             policy.pth, policy.optimizer.pth, _stable_baselines3_version,
                             system_info.txt; policy.pth holds an MlpPolicy state dict
                             (net_arch pi=[64, 64], vf=[64, 64], Discrete(5), Box(6,)) with SB3's
                             exact key names, an OrderedDict with _metadata as state_dict() gives.
                             Its inner zip is rewritten in PyTorch 2.x's layout (byteorder,
                             .format_version, .storage_alignment, .data/serialization_id records).
  sb3_ppo_d6_k5_expected.json  observations and the logits, values and argmax actions PyTorch
                             computes for them.
  torch113_state_dict.pth    a tiny state dict as torch.save writes it (non-contiguous, offset,
                             shared and float64 storages), to test the reader's corner cases.

Needs only PyTorch (Debian: apt-get install python3-torch), not SB3; run it with Debian's
interpreter, /usr/bin/python3 tests/rl/make_sb3_fixture.py. The output is byte-for-byte
deterministic, so a rerun that changes a fixture is a real change to review.
"""
import collections
import io
import json
import pathlib
import zipfile

import torch
from torch import nn

OUT = pathlib.Path(__file__).resolve().parents[1] / "data" / "rl"
D, K = 6, 5


class MlpExtractor(nn.Module):
    def __init__(self, d, pi, vf):
        super().__init__()
        self.policy_net = nn.Sequential(nn.Linear(d, pi[0]), nn.Tanh(), nn.Linear(pi[0], pi[1]), nn.Tanh())
        self.value_net = nn.Sequential(nn.Linear(d, vf[0]), nn.Tanh(), nn.Linear(vf[0], vf[1]), nn.Tanh())


class ActorCriticPolicy(nn.Module):
    """The module tree of SB3's ActorCriticPolicy with the default MlpPolicy settings."""

    def __init__(self, d, k):
        super().__init__()
        self.features_extractor = nn.Flatten()
        self.pi_features_extractor = self.features_extractor
        self.vf_features_extractor = self.features_extractor
        self.mlp_extractor = MlpExtractor(d, [64, 64], [64, 64])
        self.action_net = nn.Linear(64, k)
        self.value_net = nn.Linear(64, 1)

    def forward(self, obs):
        x = self.features_extractor(obs)
        return self.action_net(self.mlp_extractor.policy_net(x)), self.value_net(self.mlp_extractor.value_net(x))


def to_torch2_layout(pth: bytes) -> bytes:
    """Rewrites a torch.save zip with the extra records PyTorch 2.x writes."""
    src = zipfile.ZipFile(io.BytesIO(pth))
    names = src.namelist()
    prefix = names[0].split("/")[0]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as dst:
        dst.writestr(fixed(f"{prefix}/data.pkl"), src.read(f"{prefix}/data.pkl"))
        dst.writestr(fixed(f"{prefix}/.format_version"), "1")
        dst.writestr(fixed(f"{prefix}/.storage_alignment"), "64")
        dst.writestr(fixed(f"{prefix}/byteorder"), "little")
        for n in names:
            if n.startswith(f"{prefix}/data/"):
                dst.writestr(fixed(n), src.read(n))
        dst.writestr(fixed(f"{prefix}/version"), "3\n")
        dst.writestr(fixed(f"{prefix}/.data/serialization_id"), "1234567890123456789012345678901234567890")
    return out.getvalue()


def fixed(name: str) -> zipfile.ZipInfo:
    """A member with a fixed timestamp, so that the fixture files are byte-for-byte reproducible."""
    return zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))


def save_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def make_sb3_zip():
    torch.manual_seed(20240611)
    policy = ActorCriticPolicy(D, K)
    with torch.no_grad():
        for m in policy.modules():
            if isinstance(m, nn.Linear):
                # Weights large enough that the logits are far from zero (SB3's 0.01 gain would make them ~0).
                m.weight.normal_(0.0, 1.0 / m.in_features ** 0.5)
                m.bias.normal_(0.0, 0.1)
    optimizer = torch.optim.Adam(policy.parameters(), lr=3e-4, eps=1e-5)
    data = {
        "policy_class": {":type:": "<class 'abc.ABCMeta'>", ":serialized:": "",
                         "__module__": "stable_baselines3.common.policies"},
        "verbose": 0,
        "policy_kwargs": {},
        "num_timesteps": 0,
        "_total_timesteps": 0,
        "seed": None,
        "learning_rate": 0.0003,
        "observation_space": {":type:": "<class 'gymnasium.spaces.box.Box'>", ":serialized:": "",
                              "dtype": "float32", "_shape": [D]},
        "action_space": {":type:": "<class 'gymnasium.spaces.discrete.Discrete'>", ":serialized:": "",
                         "n": K, "start": 0, "_shape": []},
        "n_envs": 1,
        "n_steps": 2048,
        "gamma": 0.99,
        "gae_lambda": 0.95,
        "ent_coef": 0.0,
        "vf_coef": 0.5,
        "max_grad_norm": 0.5,
        "batch_size": 64,
        "n_epochs": 10,
        "clip_range": {":type:": "<class 'function'>", ":serialized:": ""},
        "clip_range_vf": None,
        "normalize_advantage": True,
        "target_kl": None,
    }
    path = OUT / "sb3_ppo_d6_k5.zip"
    with zipfile.ZipFile(path, mode="w") as archive:  # SB3: ZIP_STORED, members in this order
        archive.writestr(fixed("data"), json.dumps(data, indent=4))
        with archive.open("pytorch_variables.pth", mode="w", force_zip64=True) as f:
            f.write(save_bytes({}))
        with archive.open("policy.pth", mode="w", force_zip64=True) as f:
            f.write(to_torch2_layout(save_bytes(policy.state_dict())))
        with archive.open("policy.optimizer.pth", mode="w", force_zip64=True) as f:
            f.write(save_bytes(optimizer.state_dict()))
        archive.writestr(fixed("_stable_baselines3_version"), "2.3.2")
        archive.writestr(fixed("system_info.txt"), "- OS: fixture\n- Python: 3\n- Stable-Baselines3: 2.3.2\n"
                                            f"- PyTorch: {torch.__version__}\n- GPU Enabled: False\n")

    g = torch.Generator().manual_seed(7)
    obs = torch.randn(5, D, generator=g) * 2.0
    obs[4] = 0.0
    with torch.no_grad():
        logits, values = policy(obs)
    expected = {
        "observations": obs.tolist(),
        "logits": logits.tolist(),
        "values": values.flatten().tolist(),
        "argmax": logits.argmax(dim=1).tolist(),
        "log_softmax": torch.log_softmax(logits, dim=1).tolist(),
    }
    (OUT / "sb3_ppo_d6_k5_expected.json").write_text(json.dumps(expected, indent=1) + "\n")


def make_small_state_dict():
    base = torch.arange(12, dtype=torch.float32)
    sd = collections.OrderedDict()
    sd["transposed"] = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()  # [3, 2], strides (1, 3)
    sd["offset"] = base[3:7]                                                 # storage offset 3
    sd["shared"] = base.view(3, 4)[1]                                        # same storage as "offset"
    sd["double"] = torch.tensor([1.5, -2.25], dtype=torch.float64)
    sd["scalar"] = torch.tensor(4.0)
    sd._metadata = collections.OrderedDict({"": {"version": 1}})
    (OUT / "torch113_state_dict.pth").write_bytes(save_bytes(sd))


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    make_sb3_zip()
    make_small_state_dict()
    print(f"wrote fixtures to {OUT}")
