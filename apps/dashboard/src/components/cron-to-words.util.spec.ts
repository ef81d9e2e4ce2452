import { cronToWords } from './cron-to-words.util';

describe('cronToWords', () => {
  it.each([
    // Times of day.
    ['0 9 * * *', 'every day at 09:00 UTC'],
    ['30 6 * * *', 'every day at 06:30 UTC'],
    ['0 0 * * *', 'every day at 00:00 UTC'],
    ['0 9,17 * * *', 'every day at 09:00 and 17:00 UTC'],
    ['0,30 9 * * *', 'every day at 09:00 and 09:30 UTC'],
    ['15 8,12,16 * * *', 'every day at 08:15, 12:15 and 16:15 UTC'],
    // Minutes and hours.
    ['* * * * *', 'every minute'],
    ['*/5 * * * *', 'every 5 minutes'],
    ['*/1 * * * *', 'every minute'],
    ['0 * * * *', 'every hour'],
    ['15 * * * *', 'every hour at minute 15'],
    ['0,30 * * * *', 'every hour at minutes 0 and 30'],
    ['0 */2 * * *', 'every 2 hours'],
    ['30 */6 * * *', 'every 6 hours at minute 30'],
    ['0 9-17 * * *', 'every hour from 09:00 to 17:00 UTC'],
    ['*/15 9-17 * * *', 'every 15 minutes from 09:00 to 17:59 UTC'],
    ['* 9 * * *', 'every minute from 09:00 to 09:59 UTC'],
    ['0-10 * * * *', 'every minute from minute 0 to 10 of every hour'],
    // Week days.
    ['30 6 * * 1', 'every Monday at 06:30 UTC'],
    ['30 6 * * MON', 'every Monday at 06:30 UTC'],
    ['0 9 * * 1-5', 'every weekday at 09:00 UTC'],
    ['0 9 * * mon-fri', 'every weekday at 09:00 UTC'],
    ['0 9 * * 1,2,3,4,5', 'every weekday at 09:00 UTC'],
    ['0 10 * * 0,6', 'every Saturday and Sunday at 10:00 UTC'],
    ['0 10 * * 6,7', 'every Saturday and Sunday at 10:00 UTC'],
    ['0 10 * * 6-7', 'every Saturday and Sunday at 10:00 UTC'],
    ['0 8 * * 1,3,5', 'every Monday, Wednesday and Friday at 08:00 UTC'],
    ['0 8 * * 0,1', 'every Monday and Sunday at 08:00 UTC'],
    ['0 8 * * 7', 'every Sunday at 08:00 UTC'],
    ['0 8 * * 2-4', 'every Tuesday to Thursday at 08:00 UTC'],
    ['0 8 * * 0-6', 'every day at 08:00 UTC'],
    ['*/5 * * * 1-5', 'every 5 minutes on weekdays'],
    ['*/10 * * * 1', 'every 10 minutes on Mondays'],
    ['0 * * * 0,6', 'every hour on weekends'],
    ['0 9-17 * * 1-5', 'every hour from 09:00 to 17:00 UTC on weekdays'],
    // Month days and months.
    ['0 0 1 * *', 'on day 1 of every month at 00:00 UTC'],
    ['0 0 1,15 * *', 'on days 1 and 15 of every month at 00:00 UTC'],
    ['0 6 1-7 * *', 'on days 1 to 7 of every month at 06:00 UTC'],
    ['0 0 */2 * *', 'on every 2nd day of every month at 00:00 UTC'],
    ['0 0 1 1 *', 'every year on 1 January at 00:00 UTC'],
    ['0 0 25 dec *', 'every year on 25 December at 00:00 UTC'],
    ['0 0 1 1,7 *', 'on day 1 in January and July at 00:00 UTC'],
    ['0 0 1 */3 *', 'on day 1 in every 3rd month at 00:00 UTC'],
    ['0 12 * 3-5 *', 'every day in March to May at 12:00 UTC'],
    ['0 9 * 6 1', 'every Monday in June at 09:00 UTC'],
    ['*/30 * * 12 *', 'every 30 minutes in December'],
    ['0 * 1 * *', 'every hour on day 1 of every month'],
    // Macros and spacing.
    ['@daily', 'every day at 00:00 UTC'],
    ['@hourly', 'every hour'],
    ['@weekly', 'every Sunday at 00:00 UTC'],
    ['@monthly', 'on day 1 of every month at 00:00 UTC'],
    ['@yearly', 'every year on 1 January at 00:00 UTC'],
    ['  0   9 * *   * ', 'every day at 09:00 UTC'],
  ])('%s → %s', (expression, words) => {
    expect(cronToWords(expression)).toBe(words);
  });

  it.each([
    // Both day fields restricted: cron ORs them, which one sentence would misstate.
    ['0 9 1 * 1'],
    // Quartz and non-standard extensions.
    ['0 9 L * *'],
    ['0 9 * * 1#2'],
    ['0 9 15W * *'],
    // Stepped ranges, steps on week days, too many times, out of range, wrong field counts.
    ['0-30/5 * * * *'],
    ['0 9 * * */2'],
    ['0 1,2,3,4,5,6,7 * * *'],
    ['60 9 * * *'],
    ['0 24 * * *'],
    ['0 9 * 13 *'],
    ['0 9 * *'],
    ['0 0 9 * * *'],
    ['0 17-9 * * *'],
    ['0 9 * * funday'],
    ['*/0 * * * *'],
    ['0,,5 9 * * *'],
    [''],
  ])('falls back to the raw expression for %p', (expression) => {
    expect(cronToWords(expression)).toBe(expression.trim().split(/\s+/).join(' '));
  });

  it('normalises whitespace in the fallback', () => {
    expect(cronToWords(' 0  9 L * * ')).toBe('0 9 L * *');
  });
});
