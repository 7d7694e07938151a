#!/usr/bin/python3
"""Times the original system's CSV pipeline on a file, for comparison with `bench_interop`.

It does what the original's DataFrameProcessor and FeatureEngineering did: pandas read_csv,
to_datetime of Date with the format %Y-%m-%d %H:%M:%S, index by Date, dropna, then a
groupby-apply over bars computing POC/HVN/LVN price and volume, merged back onto every row.
Needs Debian's python3-pandas:  apt-get install python3-pandas
Usage: scripts/bench-original-pandas.py ES_tuples.csv
"""
import sys
import time

import pandas as pd


def poc_hvn_lvn(group):
    by_volume = group.sort_values("TotalVolume", ascending=False)
    poc = by_volume.iloc[0]
    hvn = by_volume.iloc[1] if len(by_volume) > 1 else poc
    lvn = by_volume.iloc[-1]
    return pd.Series({
        "POC_Price": poc["Price"], "POC_Volume": poc["TotalVolume"],
        "HVN_Price": hvn["Price"], "HVN_Volume": hvn["TotalVolume"],
        "LVN_Price": lvn["Price"], "LVN_Volume": lvn["TotalVolume"],
    })


def main(path):
    start = time.perf_counter()
    df = pd.read_csv(path)
    df["Date"] = pd.to_datetime(df["Date"], format="%Y-%m-%d %H:%M:%S")
    df = df.set_index("Date").dropna()
    features = df.groupby(level=0).apply(poc_hvn_lvn)
    df = df.join(features)
    elapsed = time.perf_counter() - start
    bars = len(features)
    print(f"{path}: {len(df)} rows, {bars} bars in {elapsed:.2f} s: "
          f"{len(df) / elapsed:,.0f} rows/s, {bars / elapsed:,.0f} bars/s (pandas {pd.__version__})")


if __name__ == "__main__":
    main(sys.argv[1])
