import { GroupCommitQueue } from './group-commit.util';

describe('GroupCommitQueue', () => {
  it('coalesces concurrent submissions into one flush and gives each its own results', async () => {
    const flushes: number[][] = [];
    const queue = new GroupCommitQueue<number, number>(
      async (items) => {
        flushes.push([...items]);
        return items.map((x) => x * 10);
      },
      { maxDelayMs: 5, maxItems: 100 },
    );
    const results = await Promise.all([queue.submit([1, 2]), queue.submit([3]), queue.submit([4, 5, 6])]);
    expect(results).toEqual([[10, 20], [30], [40, 50, 60]]);
    expect(flushes).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  it('caps a flush at maxItems (whole submissions) and flushes the rest next', async () => {
    const flushes: number[][] = [];
    const queue = new GroupCommitQueue<number, number>(
      async (items) => {
        flushes.push([...items]);
        return [...items];
      },
      { maxDelayMs: 5, maxItems: 3 },
    );
    await Promise.all([queue.submit([1, 2]), queue.submit([3, 4]), queue.submit([5])]);
    expect(flushes).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('rejects every submission of a failed flush, and keeps working', async () => {
    let fail = true;
    const queue = new GroupCommitQueue<number, number>(
      async (items) => {
        if (fail) throw new Error('down');
        return [...items];
      },
      { maxDelayMs: 1, maxItems: 10 },
    );
    await expect(Promise.all([queue.submit([1]), queue.submit([2])])).rejects.toThrow('down');
    fail = false;
    await expect(queue.submit([3])).resolves.toEqual([3]);
  });
});
